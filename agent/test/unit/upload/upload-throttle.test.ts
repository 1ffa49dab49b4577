import { describe, expect, it } from "vitest";
import { type BucketTiming, TokenBucket, throttled } from "../../../src/cloud/upload-throttle.js";

/** A fake clock whose sleep just advances it, recording each wait. */
function fakeTiming(): BucketTiming & { t: number; sleeps: number[] } {
  const timing = {
    t: 0,
    sleeps: [] as number[],
    now: () => timing.t,
    sleep: async (ms: number) => {
      timing.sleeps.push(ms);
      timing.t += ms;
    },
  };
  return timing;
}

async function* chunks(sizes: number[]): AsyncGenerator<Uint8Array> {
  for (const n of sizes) yield new Uint8Array(n).fill(7);
}

describe("TokenBucket", () => {
  it("lets one second's worth through at once, then paces at the rate", async () => {
    const timing = fakeTiming();
    const bucket = new TokenBucket(1000, timing);
    await bucket.take(1000);
    expect(timing.sleeps).toEqual([]);
    await bucket.take(500);
    expect(timing.sleeps).toEqual([500]);
    await bucket.take(1000);
    expect(timing.t).toBe(1500);
  });

  it("refills with elapsed time, never above its capacity", async () => {
    const timing = fakeTiming();
    const bucket = new TokenBucket(1000, timing);
    await bucket.take(1000);
    timing.t += 10_000;
    await bucket.take(1000);
    expect(timing.sleeps).toEqual([]);
    await bucket.take(1);
    expect(timing.sleeps).toEqual([1]);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});

describe("throttled", () => {
  it("passes every byte, cut to the capacity, taking total/rate seconds beyond the first burst", async () => {
    const timing = fakeTiming();
    const out: Uint8Array[] = [];
    for await (const c of throttled(chunks([2500, 700, 300]), new TokenBucket(1000, timing))) out.push(c);
    expect(out.map((c) => c.length)).toEqual([1000, 1000, 500, 700, 300]);
    // 3500 bytes at 1000 B/s with a 1000-byte head start: 2.5 s of waiting.
    expect(timing.t).toBe(2500);
  });

  it("stops waiting when its signal aborts", async () => {
    const ac = new AbortController();
    const bucket = new TokenBucket(10);
    const run = (async () => {
      for await (const _ of throttled(chunks([10, 10, 10]), bucket, ac.signal)) ac.abort(new Error("stop"));
    })();
    await expect(run).rejects.toThrow("stop");
  });
});
