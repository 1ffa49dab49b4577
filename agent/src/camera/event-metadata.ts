import type { EventEndReason, MotionEvent } from "../motion/event-tracker.js";
import type { Box } from "../motion/types.js";
import type { BoxTuple, EventMetadata } from "../store/events-repo.js";

// Pure: what an event row's `metadata` holds while the event is open and once it ended.

/** Four decimals: 1/10000 of the frame is finer than any analysis pixel; keeps the JSON short. */
const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

export function boxTuple(b: Box): BoxTuple {
  return [r4(b.x), r4(b.y), r4(b.w), r4(b.h)];
}

/** While the event is open: peak boxes, covered area, peak time (the thumbnail's), frames. */
export function progressMetadata(ev: MotionEvent): EventMetadata {
  return {
    boxes: ev.peakBoxes.map(boxTuple),
    area: boxTuple(ev.area),
    peakMs: Math.round(ev.peakMs),
    frames: ev.frames,
  };
}

/** When it ended: the same plus why, and why there is no clip when there is none. */
export function endMetadata(ev: MotionEvent, reason: EventEndReason, clipErrors: readonly string[]) {
  const m: EventMetadata = { ...progressMetadata(ev), endReason: reason };
  if (clipErrors.length > 0) m.clipError = clipErrors.join("; ").slice(0, 1000);
  return m;
}

/** The score column: the tracker's peak (−1 before any motion frame) clamped to 0–1. */
export function eventScore(ev: Pick<MotionEvent, "peakScore">): number {
  return Math.min(1, Math.max(0, ev.peakScore));
}
