import { describe, expect, it } from "vitest";
import { RequestCache } from "../../../src/cloud/request-cache.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("RequestCache", () => {
  it("runs the work once; a repeat while it runs shares its answer", async () => {
    const cache = new RequestCache<string>();
    const gate = deferred<string>();
    let runs = 0;
    const work = () => {
      runs++;
      return gate.promise;
    };
    const a = cache.run("r1", work);
    const b = cache.run("r1", work);
    expect([a.repeated, b.repeated]).toEqual([false, true]);
    gate.resolve("done");
    expect(await Promise.all([a.answer, b.answer])).toEqual(["done", "done"]);
    expect(runs).toBe(1);
  });

  it("answers a repeat after completion from the cache until the TTL passes, then runs again", async () => {
    let now = 0;
    const cache = new RequestCache<number>({ ttlMs: 1_000, now: () => now });
    let runs = 0;
    const work = async () => ++runs;
    expect(await cache.run("r", work).answer).toBe(1);
    now = 1_000;
    expect(await cache.run("r", work).answer).toBe(1);
    now = 2_001;
    expect(await cache.run("r", work).answer).toBe(2);
  });

  it("keeps a failure as the answer too", async () => {
    const cache = new RequestCache<number>();
    let runs = 0;
    const work = async () => {
      runs++;
      throw new Error("boom");
    };
    await expect(cache.run("r", work).answer).rejects.toThrow("boom");
    await expect(cache.run("r", work).answer).rejects.toThrow("boom");
    expect(runs).toBe(1);
  });

  it("drops the least recently used finished answers beyond its bound, never a running one", async () => {
    const cache = new RequestCache<string>({ maxEntries: 2 });
    const gate = deferred<string>();
    cache.run("running", () => gate.promise);
    await cache.run("a", async () => "a").answer;
    await cache.run("b", async () => "b").answer;
    // "a" was finished and least recently used: gone. "running" stays although it is oldest.
    expect(cache.size).toBe(2);
    expect(cache.run("running", async () => "again").repeated).toBe(true);
    expect(cache.run("a", async () => "a2").repeated).toBe(false);
    gate.resolve("x");
  });
});
