import { describe, expect, it } from "vitest";
import {
  DEFAULT_EVENT_TRACKER_OPTIONS,
  EventTracker,
  type EventTrackerOptions,
  type TrackerTransition,
} from "../../../src/motion/event-tracker.js";
import type { Box } from "../../../src/motion/types.js";

// Dyadic values so corner arithmetic (x + w) is exact.
const BOX: Box = { x: 0.375, y: 0.375, w: 0.125, h: 0.125 };

/** A run of frames every `step` ms in [from, to], all with or all without motion. */
interface Segment {
  motion: boolean;
  from: number;
  to: number;
  step?: number;
}

const on = (from: number, to: number, step = 100): Segment => ({ motion: true, from, to, step });
const off = (from: number, to: number, step = 100): Segment => ({ motion: false, from, to, step });

/** Compact form of a transition for table comparisons. */
function brief(t: TrackerTransition): string {
  if (t.kind === "end") return `end#${t.event.seq}@${t.atMs} ${t.event.startMs}-${t.endMs} ${t.reason}`;
  if (t.kind === "start") return `start#${t.event.seq}@${t.atMs} from ${t.event.startMs}`;
  return `update#${t.event.seq}@${t.atMs}`;
}

function feed(segments: Segment[], options?: EventTrackerOptions): string[] {
  const tracker = new EventTracker(options);
  const out: string[] = [];
  for (const s of segments) {
    for (let t = s.from; t <= s.to; t += s.step ?? 100) {
      const result = { motion: s.motion, score: s.motion ? 0.5 : 0, boxes: s.motion ? [BOX] : [] };
      for (const tr of tracker.push(result, t)) if (tr.kind !== "update") out.push(brief(tr));
    }
  }
  return out;
}

describe("EventTracker", () => {
  it("uses the documented defaults", () => {
    expect(DEFAULT_EVENT_TRACKER_OPTIONS).toEqual({
      minDurationMs: 400,
      eventGapMs: 5000,
      maxDurationMs: 60_000,
      dropoutMs: 400,
    });
  });

  const table: { name: string; segments: Segment[]; options?: EventTrackerOptions; expected: string[] }[] = [
    {
      name: "a blip shorter than minDuration is filtered",
      segments: [on(0, 300), off(400, 9000)],
      expected: [],
    },
    {
      name: "motion that persists starts after minDuration and ends after the gap",
      segments: [on(0, 1000), off(1100, 8000)],
      expected: ["start#1@400 from 0", "end#1@6000 0-1000 gap"],
    },
    {
      name: "motion again within the gap keeps one event",
      segments: [on(0, 1000), off(1100, 4000), on(4100, 5000), off(5100, 12000)],
      expected: ["start#1@400 from 0", "end#1@10000 0-5000 gap"],
    },
    {
      name: "motion after the gap starts a new event",
      segments: [on(0, 1000), off(1100, 7900), on(8000, 9000), off(9100, 15000)],
      expected: [
        "start#1@400 from 0",
        "end#1@6000 0-1000 gap",
        "start#2@8400 from 8000",
        "end#2@14000 8000-9000 gap",
      ],
    },
    {
      name: "maxDuration splits continuous motion into back-to-back events",
      segments: [on(0, 130_000, 1000), off(131_000, 140_000, 1000)],
      expected: [
        "start#1@0 from 0",
        "end#1@60000 0-60000 max-duration",
        "start#2@60000 from 60000",
        "end#2@120000 60000-120000 max-duration",
        "start#3@120000 from 120000",
        "end#3@135000 120000-130000 gap",
      ],
      options: { minDurationMs: 0 },
    },
    {
      name: "a split during a pause chains the next motion into a new event at once",
      segments: [on(0, 59_000, 1000), off(59_500, 61_900), on(62_000, 62_000), off(62_100, 70_000)],
      options: { minDurationMs: 0 },
      expected: [
        "start#1@0 from 0",
        "end#1@60000 0-60000 max-duration",
        "start#2@62000 from 62000",
        "end#2@67000 62000-62000 gap",
      ],
    },
    {
      name: "minDuration 0 starts on the first motion frame",
      segments: [on(500, 500), off(600, 6000)],
      options: { minDurationMs: 0 },
      expected: ["start#1@500 from 500", "end#1@5500 500-500 gap"],
    },
    {
      name: "a short dropout does not reset the candidate (5 fps, one missed frame)",
      segments: [on(0, 200, 200), off(400, 400), on(600, 800, 200), off(1000, 7000, 200)],
      expected: ["start#1@600 from 0", "end#1@5800 0-800 gap"],
    },
    {
      name: "a long pause resets the candidate",
      segments: [on(0, 100), off(200, 600), on(700, 1100), off(1200, 7000)],
      expected: ["start#1@1100 from 700", "end#1@6100 700-1100 gap"],
    },
    {
      name: "custom gap",
      segments: [on(0, 1000), off(1100, 3000), on(3100, 4000), off(4100, 7000)],
      options: { eventGapMs: 2000 },
      expected: [
        "start#1@400 from 0",
        "end#1@3000 0-1000 gap",
        "start#2@3500 from 3100",
        "end#2@6000 3100-4000 gap",
      ],
    },
  ];

  it.each(table)("$name", ({ segments, options, expected }) => {
    expect(feed(segments, options)).toEqual(expected);
  });

  it("reports the peak score, its frame time and the union of boxes in updates", () => {
    const tracker = new EventTracker({ minDurationMs: 0 });
    const frames = [
      { score: 0.2, boxes: [{ x: 0.1, y: 0.1, w: 0.1, h: 0.1 }] },
      { score: 0.6, boxes: [{ x: 0.3, y: 0.1, w: 0.1, h: 0.2 }] },
      { score: 0.4, boxes: [{ x: 0.2, y: 0.1, w: 0.1, h: 0.1 }] },
      { score: 0.5, boxes: [{ x: 0.5, y: 0.5, w: 0.2, h: 0.2 }] },
    ];
    const all = frames.flatMap((f, i) => tracker.push({ motion: true, ...f }, i * 100));
    expect(all.map((t) => t.kind)).toEqual(["start", "update", "update"]);
    const last = all.at(-1)!.event;
    expect(last.peakScore).toBe(0.6);
    expect(last.peakMs).toBe(100);
    expect(last.peakBoxes).toEqual([{ x: 0.3, y: 0.1, w: 0.1, h: 0.2 }]);
    expect(last.area.x).toBeCloseTo(0.1);
    expect(last.area.y).toBeCloseTo(0.1);
    expect(last.area.w).toBeCloseTo(0.6);
    expect(last.area.h).toBeCloseTo(0.6);
    expect(last.frames).toBe(4);
    expect(last.type).toBe("motion");
    const end = tracker.push({ motion: false, score: 0, boxes: [] }, 5300);
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ kind: "end", endMs: 300, reason: "gap" });
    expect(end[0]!.event.peakMs).toBe(100);
  });

  it("gives snapshots that later frames do not change", () => {
    const tracker = new EventTracker({ minDurationMs: 0 });
    const [start] = tracker.push({ motion: true, score: 0.1, boxes: [BOX] }, 0);
    tracker.push({ motion: true, score: 0.9, boxes: [{ x: 0, y: 0, w: 1, h: 1 }] }, 100);
    expect(start!.event.peakScore).toBe(0.1);
    expect(start!.event.area).toEqual(BOX);
    expect(tracker.current?.peakScore).toBe(0.9);
  });

  it("flush ends the open event and drops a candidate", () => {
    const tracker = new EventTracker();
    expect(tracker.flush(0)).toEqual([]);
    for (let t = 0; t <= 600; t += 100) tracker.push({ motion: true, score: 0.3, boxes: [BOX] }, t);
    const [end] = tracker.flush(900);
    expect(end).toMatchObject({ kind: "end", atMs: 900, endMs: 600, reason: "flush" });
    expect(tracker.current).toBeNull();
    // A candidate (not yet an event) is simply forgotten.
    tracker.push({ motion: true, score: 0.3, boxes: [BOX] }, 1000);
    expect(tracker.flush(1100)).toEqual([]);
    expect(tracker.push({ motion: true, score: 0.3, boxes: [BOX] }, 1200)).toEqual([]);
  });

  it("ignores frames whose timestamp goes backwards", () => {
    const tracker = new EventTracker({ minDurationMs: 0 });
    expect(tracker.push({ motion: true, score: 0.3, boxes: [BOX] }, 1000)).toHaveLength(1);
    expect(tracker.push({ motion: false, score: 0, boxes: [] }, 500)).toEqual([]);
    expect(tracker.push({ motion: false, score: 0, boxes: [] }, Number.NaN)).toEqual([]);
    expect(tracker.current?.lastMotionMs).toBe(1000);
  });

  it("accepts motion without boxes", () => {
    const tracker = new EventTracker({ minDurationMs: 0 });
    const [start] = tracker.push({ motion: true, score: 0.3, boxes: [] }, 0);
    expect(start!.event.area).toEqual({ x: 0, y: 0, w: 0, h: 0 });
  });

  it("rejects invalid options", () => {
    expect(() => new EventTracker({ eventGapMs: -1 })).toThrow(RangeError);
    expect(() => new EventTracker({ maxDurationMs: Number.NaN })).toThrow(RangeError);
  });
});
