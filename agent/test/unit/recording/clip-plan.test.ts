import { describe, expect, it } from "vitest";
import type { Segment } from "../../../src/capture/segment.js";
import { type ClipPlanOptions, planClip, type TimeRange } from "../../../src/recording/clip-plan.js";
import { RecordingError } from "../../../src/recording/recording-error.js";

const T0 = 1_700_000_000_000;
const s = (sec: number) => T0 + sec * 1000;
/** Segment `name` covering seconds [a, b) after T0. */
const seg = (name: string, a: number, b: number): Segment => ({
  path: `/ring/${name}.ts`,
  startMs: s(a),
  endMs: s(b),
});
/** Ten contiguous 2 s segments, s0 = [0,2) … s9 = [18,20). */
const ring = Array.from({ length: 10 }, (_, i) => seg(`s${i}`, 2 * i, 2 * i + 2));
const without = (...names: string[]) => ring.filter((x) => !names.some((n) => x.path.endsWith(`/${n}.ts`)));
const names = (segments: Segment[]) => segments.map((x) => x.path.replace(/^\/ring\/|\.ts$/g, ""));
const range = (a: number, b: number): TimeRange => ({ startMs: s(a), endMs: s(b) });

interface Row {
  name: string;
  segments: Segment[];
  event: [number, number];
  opts?: ClipPlanOptions;
  window: [number, number];
  clamped?: boolean;
  /** [segments, seekMs, durationMs] per part. */
  parts: Array<[string[], number, number]>;
  uncovered: Array<[number, number]>;
}

const table: Row[] = [
  {
    name: "defaults: 5 s pre-roll, 10 s post-roll; the end is not recorded yet",
    segments: ring,
    event: [10, 12],
    window: [5, 22],
    parts: [[["s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"], 1000, 15_000]],
    uncovered: [[20, 22]],
  },
  {
    name: "window inside the ring, on segment boundaries",
    segments: ring,
    event: [8, 9],
    opts: { preRollSeconds: 2, postRollSeconds: 3 },
    window: [6, 12],
    parts: [[["s3", "s4", "s5"], 0, 6000]],
    uncovered: [],
  },
  {
    name: "window inside the ring, mid-segment: seek into the first, cut inside the last",
    segments: ring,
    event: [7.5, 8],
    opts: { preRollSeconds: 1, postRollSeconds: 2.7 },
    window: [6.5, 10.7],
    parts: [[["s3", "s4", "s5"], 500, 4200]],
    uncovered: [],
  },
  {
    name: "window starts before the oldest segment (pre-roll already overwritten)",
    segments: ring,
    event: [0, 3],
    window: [-5, 13],
    parts: [[["s0", "s1", "s2", "s3", "s4", "s5", "s6"], 0, 13_000]],
    uncovered: [[-5, 0]],
  },
  {
    name: "maxSeconds keeps the start and cuts the end",
    segments: ring,
    event: [2, 100],
    opts: { preRollSeconds: 1, postRollSeconds: 10, maxSeconds: 10 },
    window: [1, 11],
    clamped: true,
    parts: [[["s0", "s1", "s2", "s3", "s4", "s5"], 1000, 10_000]],
    uncovered: [],
  },
  {
    name: "a missing segment splits the clip into two parts",
    segments: without("s4"),
    event: [6, 6],
    opts: { preRollSeconds: 2, postRollSeconds: 6 },
    window: [4, 12],
    parts: [
      [["s2", "s3"], 0, 4000],
      [["s5"], 0, 2000],
    ],
    uncovered: [[8, 10]],
  },
  {
    name: "a camera restart (segments resume 3.4 s later) splits the clip",
    segments: [...ring.slice(0, 3), seg("r0", 9.4, 11.4), seg("r1", 11.4, 13.4)],
    event: [5, 5],
    opts: { preRollSeconds: 3, postRollSeconds: 7 },
    window: [2, 12],
    parts: [
      [["s1", "s2"], 0, 4000],
      [["r0", "r1"], 0, 2600],
    ],
    uncovered: [[6, 9.4]],
  },
  {
    name: "timestamp jitter below maxGapMs joins",
    segments: [seg("a", 0, 2), seg("b", 2.3, 4.3), seg("c", 4.2, 6.2)],
    event: [1, 5],
    opts: { preRollSeconds: 0, postRollSeconds: 0 },
    window: [1, 5],
    parts: [[["a", "b", "c"], 1000, 4000]],
    uncovered: [],
  },
  {
    name: "the wall clock stepped back after a restart: overlapping runs are not joined",
    segments: [seg("a", 0, 2), seg("b", 2, 4), seg("c", 2.5, 4.5), seg("d", 4.5, 6.5)],
    event: [0, 6.5],
    opts: { preRollSeconds: 0, postRollSeconds: 0 },
    window: [0, 6.5],
    parts: [
      [["a", "b"], 0, 4000],
      [["c", "d"], 0, 4000],
    ],
    uncovered: [],
  },
  {
    name: "a sliver shorter than minPartMs after a gap is dropped",
    segments: without("s5"),
    event: [8, 8],
    opts: { preRollSeconds: 2, postRollSeconds: 4.3 },
    window: [6, 12.3],
    parts: [[["s3", "s4"], 0, 4000]],
    uncovered: [[10, 12.3]],
  },
  {
    name: "unsorted input with a duplicate and an empty segment",
    segments: [ring[3]!, ring[1]!, ring[2]!, ring[1]!, seg("bad", 5, 5)],
    event: [3, 4],
    opts: { preRollSeconds: 1, postRollSeconds: 2 },
    window: [2, 6],
    parts: [[["s1", "s2"], 0, 4000]],
    uncovered: [],
  },
  {
    name: "window entirely after the ring",
    segments: ring,
    event: [30, 31],
    opts: { preRollSeconds: 1, postRollSeconds: 1 },
    window: [29, 32],
    parts: [],
    uncovered: [[29, 32]],
  },
  {
    name: "no segments at all",
    segments: [],
    event: [3, 4],
    window: [-2, 14],
    parts: [],
    uncovered: [[-2, 14]],
  },
  {
    name: "an end before the start is treated as a zero-length event",
    segments: ring,
    event: [10, 4],
    opts: { preRollSeconds: 1, postRollSeconds: 1 },
    window: [9, 11],
    parts: [[["s4", "s5"], 1000, 2000]],
    uncovered: [],
  },
];

describe("planClip", () => {
  it.each(table)("$name", (row) => {
    const plan = planClip(row.segments, range(...row.event), row.opts);
    expect(plan.window).toEqual(range(...row.window));
    expect(plan.clamped).toBe(row.clamped ?? false);
    expect(plan.parts.map((p) => [names(p.segments), p.seekMs, p.durationMs])).toEqual(
      row.parts.map(([n, seek, dur]) => [n, expect.closeTo(seek, 6), expect.closeTo(dur, 6)]),
    );
    expect(plan.parts.map((p) => p.index)).toEqual(row.parts.map((_, i) => i));
    for (const p of plan.parts) {
      expect(p.startMs).toBeCloseTo(p.segments[0]!.startMs + p.seekMs, 6);
      expect(p.endMs - p.startMs).toBeCloseTo(p.durationMs, 6);
      expect(p.endMs).toBeLessThanOrEqual(p.segments.at(-1)!.endMs);
    }
    expect(plan.uncovered.map((u) => [u.startMs, u.endMs])).toEqual(
      row.uncovered.map(([a, b]) => [expect.closeTo(s(a), 6), expect.closeTo(s(b), 6)]),
    );
  });

  it.each([
    ["a non-finite event start", { startMs: Number.NaN, endMs: s(1) }, {}],
    ["a negative pre-roll", range(1, 2), { preRollSeconds: -1 }],
    ["an infinite maxSeconds", range(1, 2), { maxSeconds: Number.POSITIVE_INFINITY }],
  ])("rejects %s", (_, event, opts) => {
    expect(() => planClip(ring, event, opts)).toThrow(RecordingError);
  });
});
