import { describe, expect, it } from "vitest";
import {
  type RingFs,
  ringKeepMs,
  type Segment,
  SegmentRing,
  selectExpired,
} from "../../../src/capture/index.js";
import { FakeClock } from "./fake-clock.js";

const DIR = "/ring/cam";

/** An in-memory directory: the ring's logic runs without a disk. */
class MemFs implements RingFs {
  readonly files = new Set<string>();
  async mkdir(): Promise<void> {}
  async readdir(dir: string): Promise<string[]> {
    return [...this.files].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1));
  }
  async unlink(path: string): Promise<void> {
    if (!this.files.delete(path)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
  }
}

const name = (n: number) => `${DIR}/seg-${String(n).padStart(9, "0")}.ts`;

async function ring(opts: { keepMs?: number; maxSegments?: number; files?: string[] } = {}) {
  const clock = new FakeClock(100_000);
  const fs = new MemFs();
  for (const f of opts.files ?? []) fs.files.add(f);
  const r = new SegmentRing({
    dir: DIR,
    keepMs: opts.keepMs ?? 10_000,
    segmentSeconds: 2,
    clock,
    fs,
    ...(opts.maxSegments !== undefined && { maxSegments: opts.maxSegments }),
  });
  await r.init();
  /** ffmpeg closes segment n covering [startMs, startMs + 2 s) at its end; the clock moves there. */
  const close = async (n: number, startMs: number): Promise<Segment> => {
    const s = { path: name(n), startMs, endMs: startMs + 2_000 };
    fs.files.add(s.path);
    if (clock.now() < s.endMs) clock.advance(s.endMs - clock.now());
    r.add(s);
    await r.prune();
    return s;
  };
  return { r, clock, fs, close };
}

describe("SegmentRing", () => {
  it("deletes stale segments at start but leaves other files alone", async () => {
    const { fs, r } = await ring({
      files: [name(3), name(4), `${DIR}/notes.txt`, "/elsewhere/seg-000000001.ts"],
    });
    expect([...fs.files].sort()).toEqual(["/elsewhere/seg-000000001.ts", `${DIR}/notes.txt`]);
    expect(r.segments()).toEqual([]);
  });

  it("answers covering() with the overlapping segments in order", async () => {
    const { r, close } = await ring({ keepMs: 60_000 });
    for (let i = 0; i < 5; i++) await close(i, 100_000 + i * 2_000);
    const starts = (from: number, to: number) => r.covering(from, to).map((s) => s.startMs - 100_000);
    expect(starts(103_000, 106_500)).toEqual([2_000, 4_000, 6_000]);
    expect(starts(104_000, 106_000)).toEqual([4_000]); // boundaries touch, they do not overlap
    expect(starts(105_000, 105_000)).toEqual([4_000]); // an instant: the segment containing it
    expect(starts(90_000, 99_000)).toEqual([]);
    expect(starts(0, Number.MAX_SAFE_INTEGER)).toHaveLength(5);
    expect(r.latest()?.startMs).toBe(108_000);
  });

  it("deletes segments that ended before the keep window, oldest first", async () => {
    const { r, fs, close } = await ring({ keepMs: 5_000 });
    for (let i = 0; i < 6; i++) await close(i, 100_000 + i * 2_000);
    // now = 112 000: keep segments ending at or after 107 000.
    expect(r.segments().map((s) => s.endMs)).toEqual([108_000, 110_000, 112_000]);
    expect([...fs.files].sort()).toEqual([name(3), name(4), name(5)]);
  });

  it("caps the number of segments even when the wall clock went backwards", async () => {
    const { r, close } = await ring({ keepMs: 60_000, maxSegments: 3 });
    for (let i = 0; i < 5; i++) await close(i, 500_000 + i * 2_000); // "in the future"
    expect(r.segments().map((s) => s.path)).toEqual([name(2), name(3), name(4)]);
  });

  it("keeps held segments until released", async () => {
    const { r, fs, close, clock } = await ring({ keepMs: 4_000 });
    for (let i = 0; i < 3; i++) await close(i, 100_000 + i * 2_000);
    const hold = r.hold(101_000); // a clip from 101 000 is being assembled
    for (let i = 3; i < 8; i++) await close(i, 100_000 + i * 2_000);
    expect(r.covering(101_000, 104_000).map((s) => s.path)).toEqual([name(0), name(1)]);
    expect(fs.files.has(name(0))).toBe(true);
    hold.release();
    hold.release(); // idempotent
    await r.prune();
    expect(clock.now()).toBe(116_000);
    expect(r.segments().map((s) => s.path)).toEqual([name(5), name(6), name(7)]); // 5 ends at now − keep
    expect(fs.files.has(name(0))).toBe(false);
  });

  it("the earliest of several holds wins", () => {
    const segs: Segment[] = [0, 1, 2, 3].map((i) => ({
      path: name(i),
      startMs: i * 2_000,
      endMs: (i + 1) * 2_000,
    }));
    expect(selectExpired(segs, 100_000, 1_000, 100, 4_000).map((s) => s.path)).toEqual([name(0), name(1)]);
    expect(selectExpired(segs, 100_000, 1_000, 100, undefined)).toHaveLength(4);
    expect(selectExpired(segs, 100_000, 1_000, 100, 0)).toHaveLength(0);
  });

  it("waitFor resolves once a segment ends at or after the time (post-roll)", async () => {
    const { r, close } = await ring({ keepMs: 60_000 });
    await close(0, 100_000);
    await expect(r.waitFor(101_000, 5_000)).resolves.toMatchObject({ path: name(0) }); // already there
    const later = r.waitFor(105_000, 10_000);
    await close(1, 102_000);
    const s = await close(2, 104_000);
    await expect(later).resolves.toEqual(s);
  });

  it("waitFor resolves undefined on timeout and on close", async () => {
    const { r, clock } = await ring();
    const timedOut = r.waitFor(200_000, 3_000);
    clock.advance(2_999);
    const closed = r.waitFor(200_000, 60_000);
    clock.advance(1);
    await expect(timedOut).resolves.toBeUndefined();
    r.close();
    await expect(closed).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it("prepareRun deletes what a dead ffmpeg left unlisted and continues the numbering", async () => {
    const { r, fs, close } = await ring({ keepMs: 60_000 });
    expect(await r.prepareRun()).toBe(0);
    await close(0, 100_000);
    await close(1, 102_000);
    fs.files.add(name(2)); // ffmpeg was killed while writing segment 2
    expect(await r.prepareRun()).toBe(3);
    expect(fs.files.has(name(2))).toBe(false);
    expect(fs.files.has(name(1))).toBe(true);
    expect(await r.prepareRun()).toBe(3); // never reuses a number, even one whose file is gone
  });

  it("keeps a whole clip plus margin", () => {
    const rec = { preRollSeconds: 5, postRollSeconds: 10, maxSeconds: 60, segmentSeconds: 2 };
    expect(ringKeepMs(rec)).toBe((5 + 60 + 10 + 4 + 10) * 1000);
  });
});
