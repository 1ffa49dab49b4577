import { describe, expect, it } from "vitest";
import {
  filesToProbe,
  interruptedEndMs,
  recoveryWindow,
  segmentsFromFiles,
} from "../../../src/camera/recovery-plan.js";

const T = 1_700_000_000_000;

describe("interruptedEndMs", () => {
  it.each([
    ["ends at the ring's last video", { startedAt: T, metadata: {} }, T + 7_000, 60_000, T + 7_000],
    ["no ring left: at its start", { startedAt: T, metadata: {} }, undefined, 60_000, T],
    ["ring older than the event: at its start", { startedAt: T, metadata: {} }, T - 5_000, 60_000, T],
    ["never longer than the tracker allows", { startedAt: T, metadata: {} }, T + 90_000, 60_000, T + 60_000],
    [
      "a manual recording ends at its planned end at the latest",
      { startedAt: T, metadata: { plannedEndMs: T + 10_000 } },
      T + 30_000,
      Number.POSITIVE_INFINITY,
      T + 10_000,
    ],
    [
      "…or earlier when the ring stops earlier",
      { startedAt: T, metadata: { plannedEndMs: T + 10_000 } },
      T + 4_321.6,
      Number.POSITIVE_INFINITY,
      T + 4_322,
    ],
  ])("%s", (_what, event, lastEnd, maxMs, expected) => {
    expect(interruptedEndMs(event, lastEnd, maxMs)).toBe(expected);
  });
});

describe("recoveryWindow", () => {
  it("adds the rolls and respects the longest clip", () => {
    const rec = { preRollSeconds: 5, postRollSeconds: 10, maxSeconds: 60 };
    expect(recoveryWindow(T, T + 20_000, rec)).toEqual({ startMs: T - 5_000, endMs: T + 30_000 });
    expect(recoveryWindow(T, T + 58_000, rec)).toEqual({ startMs: T - 5_000, endMs: T + 55_000 });
  });
});

describe("left-over ring segments", () => {
  const files = [0, 1, 2, 3, 4, 5].map((i) => ({ path: `/r/seg-${i}.ts`, mtimeMs: T + 2_000 * (i + 1) }));

  it("probes only files that can hold video of the window", () => {
    const pick = (maxSegmentMs: number) =>
      filesToProbe(files, T + 4_500, T + 7_000, maxSegmentMs).map((f) => f.path);
    // seg-1 ends before the window; seg-4 (ends at +10 s) starts inside it only if it can be > 3 s long.
    expect(pick(3_000)).toEqual(["/r/seg-2.ts", "/r/seg-3.ts"]);
    expect(pick(3_500)).toEqual(["/r/seg-2.ts", "/r/seg-3.ts", "/r/seg-4.ts"]);
  });

  it("turns mtime and duration into touching wall-clock segments, dropping unreadable files", () => {
    const probed = [
      { path: "/r/b.ts", mtimeMs: T + 4_000, durationMs: 2_040 },
      { path: "/r/a.ts", mtimeMs: T + 2_000, durationMs: 2_000 },
      { path: "/r/c.ts", mtimeMs: T + 6_010, durationMs: 0 },
      { path: "/r/d.ts", mtimeMs: T + 8_000, durationMs: 1_990 },
      { path: "/r/e.ts", mtimeMs: T + 20_000, durationMs: 2_000 },
    ];
    expect(segmentsFromFiles(probed)).toEqual([
      { path: "/r/a.ts", startMs: T, endMs: T + 2_000 },
      { path: "/r/b.ts", startMs: T + 2_000, endMs: T + 4_000 },
      // c was unreadable: d does not touch b, so it keeps its own start (a gap planClip will see).
      { path: "/r/d.ts", startMs: T + 6_010, endMs: T + 8_000 },
      { path: "/r/e.ts", startMs: T + 18_000, endMs: T + 20_000 },
    ]);
  });
});
