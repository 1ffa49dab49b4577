import { describe, expect, it } from "vitest";
import { boxTuple, endMetadata, eventScore, progressMetadata } from "../../../src/camera/event-metadata.js";
import type { MotionEvent } from "../../../src/motion/event-tracker.js";

const ev: MotionEvent = {
  type: "motion",
  seq: 1,
  startMs: 1000,
  lastMotionMs: 4000,
  frames: 12,
  peakScore: 0.4567891,
  peakMs: 2500.4,
  peakBoxes: [{ x: 0.123456, y: 0.5, w: 0.1, h: 1 / 3 }],
  area: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
};

describe("event metadata", () => {
  it("stores boxes as rounded [x, y, w, h] tuples", () => {
    expect(boxTuple({ x: 0.123456, y: 0, w: 1, h: 1 / 3 })).toEqual([0.1235, 0, 1, 0.3333]);
  });

  it("records peak boxes, area, peak time and frames while open, plus the end reason when ended", () => {
    expect(progressMetadata(ev)).toEqual({
      boxes: [[0.1235, 0.5, 0.1, 0.3333]],
      area: [0.1, 0.2, 0.3, 0.4],
      peakMs: 2500,
      frames: 12,
    });
    expect(endMetadata(ev, "gap", [])).toEqual({ ...progressMetadata(ev), endReason: "gap" });
    expect(endMetadata(ev, "flush", ["a", "b"])).toMatchObject({ endReason: "flush", clipError: "a; b" });
  });

  it("clamps the score to 0..1", () => {
    expect(eventScore({ peakScore: -1 })).toBe(0);
    expect(eventScore({ peakScore: 0.5 })).toBe(0.5);
    expect(eventScore({ peakScore: 2 })).toBe(1);
  });
});
