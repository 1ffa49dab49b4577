// Turns per-frame motion results into events: start (after motion persisted), update (peak score
// or covered area grew), end (after a quiet gap, or at the maximum length). Time comes only from
// the frame timestamps, so tests replay any timeline without a clock, and a stalled camera does not
// end an event by wall-clock time before its frames say so.

import type { Box, EventType, MotionResult } from "./types.js";

export interface EventTrackerOptions {
  /** Motion must persist this long before an event starts (filters blips). Default 400. */
  minDurationMs?: number;
  /** An event ends after this long without motion; later motion starts a new one. Default 5000. */
  eventGapMs?: number;
  /** An event longer than this is ended and, if motion goes on, a new one starts. Default 60000. */
  maxDurationMs?: number;
  /**
   * While waiting for `minDurationMs`, a pause longer than this discards the candidate. Default 400:
   * one missed frame at 5 fps (a small object can drop out for a frame) but not a run of blips.
   */
  dropoutMs?: number;
}

export const DEFAULT_EVENT_TRACKER_OPTIONS: Required<EventTrackerOptions> = {
  minDurationMs: 400,
  eventGapMs: 5000,
  maxDurationMs: 60_000,
  dropoutMs: 400,
};

/** A snapshot of an event; each transition carries a fresh copy the caller may keep. */
export interface MotionEvent {
  type: Extract<EventType, "motion">;
  /** 1, 2, 3 ... per tracker: tells events apart before the store gives them ids. */
  seq: number;
  /** Time of the first motion frame (for a candidate: the first frame of the persisting run). */
  startMs: number;
  lastMotionMs: number;
  /** Motion frames seen so far. */
  frames: number;
  peakScore: number;
  /** Timestamp of the frame with the peak score: take the thumbnail from this frame. */
  peakMs: number;
  /** Boxes of the peak frame (crop hint for the thumbnail). */
  peakBoxes: Box[];
  /** Union (bounding box) of every box seen during the event. */
  area: Box;
}

export type EventEndReason = "gap" | "max-duration" | "flush";

export type TrackerTransition =
  | { kind: "start"; atMs: number; event: MotionEvent }
  | { kind: "update"; atMs: number; event: MotionEvent }
  /** `endMs`: last motion for "gap" and "flush"; the split time for "max-duration". */
  | { kind: "end"; atMs: number; endMs: number; reason: EventEndReason; event: MotionEvent };

/** What the tracker reads from a frame's result. */
export type TrackerInput = Pick<MotionResult, "motion" | "score" | "boxes">;

/** Mutable working state of the open (or candidate) event; `area` as corner coordinates. */
interface Draft {
  startMs: number;
  lastMotionMs: number;
  frames: number;
  peakScore: number;
  peakMs: number;
  peakBoxes: Box[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const NONE: TrackerTransition[] = [];

export class EventTracker {
  readonly options: Required<EventTrackerOptions>;
  private active: Draft | null = null;
  private candidate: Draft | null = null;
  private seq = 0;
  private lastMs = Number.NEGATIVE_INFINITY;
  /** After a max-duration split, motion before this time continues at once in a new event. */
  private chainUntilMs = Number.NEGATIVE_INFINITY;

  constructor(options: EventTrackerOptions = {}) {
    const o = { ...DEFAULT_EVENT_TRACKER_OPTIONS };
    for (const key of Object.keys(o) as (keyof EventTrackerOptions)[]) {
      const v = options[key];
      if (v !== undefined) {
        if (!Number.isFinite(v) || v < 0) throw new RangeError(`${key} must be a finite number >= 0`);
        o[key] = v;
      }
    }
    this.options = o;
  }

  /** The open event, if any (a snapshot). */
  get current(): MotionEvent | null {
    return this.active ? this.snapshot(this.active) : null;
  }

  /** Feeds one analysed frame. Timestamps must not go backwards; such frames are ignored. */
  push(result: TrackerInput, tMs: number): TrackerTransition[] {
    if (!(tMs >= this.lastMs)) return NONE;
    this.lastMs = tMs;
    const { eventGapMs, maxDurationMs, minDurationMs, dropoutMs } = this.options;
    const active = this.active;

    if (active) {
      if (result.motion) {
        const grew = absorb(active, result, tMs);
        if (tMs - active.startMs >= maxDurationMs) {
          // Split: close this one at the current frame and carry straight on in a new event.
          const end = this.end(tMs, tMs, "max-duration");
          return [end, this.open(fresh(result, tMs), tMs)];
        }
        return grew ? [{ kind: "update", atMs: tMs, event: this.snapshot(active) }] : NONE;
      }
      if (tMs - active.lastMotionMs >= eventGapMs) return [this.end(tMs, active.lastMotionMs, "gap")];
      if (tMs - active.startMs >= maxDurationMs) {
        this.chainUntilMs = active.lastMotionMs + eventGapMs;
        return [this.end(tMs, tMs, "max-duration")];
      }
      return NONE;
    }

    if (!result.motion) {
      if (this.candidate && tMs - this.candidate.lastMotionMs > dropoutMs) this.candidate = null;
      return NONE;
    }
    if (tMs < this.chainUntilMs) return [this.open(fresh(result, tMs), tMs)];
    let candidate = this.candidate;
    if (candidate && tMs - candidate.lastMotionMs > dropoutMs) candidate = null;
    if (candidate) absorb(candidate, result, tMs);
    else candidate = fresh(result, tMs);
    this.candidate = candidate;
    if (tMs - candidate.startMs >= minDurationMs) return [this.open(candidate, tMs)];
    return NONE;
  }

  /** Ends the open event now (shutdown, camera removed). Drops a pending candidate. */
  flush(tMs: number): TrackerTransition[] {
    this.candidate = null;
    this.chainUntilMs = Number.NEGATIVE_INFINITY;
    const active = this.active;
    return active ? [this.end(Math.max(tMs, this.lastMs), active.lastMotionMs, "flush")] : NONE;
  }

  private open(draft: Draft, tMs: number): TrackerTransition {
    this.seq++;
    this.active = draft;
    this.candidate = null;
    this.chainUntilMs = Number.NEGATIVE_INFINITY;
    return { kind: "start", atMs: tMs, event: this.snapshot(draft) };
  }

  private end(tMs: number, endMs: number, reason: EventEndReason): TrackerTransition {
    const event = this.snapshot(this.active!);
    this.active = null;
    return { kind: "end", atMs: tMs, endMs, reason, event };
  }

  private snapshot(d: Draft): MotionEvent {
    return {
      type: "motion",
      seq: this.seq,
      startMs: d.startMs,
      lastMotionMs: d.lastMotionMs,
      frames: d.frames,
      peakScore: d.peakScore,
      peakMs: d.peakMs,
      peakBoxes: d.peakBoxes.map((b) => ({ ...b })),
      // No boxes yet (a caller fed motion without boxes): an empty area, not infinities.
      area: d.x1 >= d.x0 ? { x: d.x0, y: d.y0, w: d.x1 - d.x0, h: d.y1 - d.y0 } : { x: 0, y: 0, w: 0, h: 0 },
    };
  }
}

function fresh(result: TrackerInput, tMs: number): Draft {
  const d: Draft = {
    startMs: tMs,
    lastMotionMs: tMs,
    frames: 0,
    peakScore: -1,
    peakMs: tMs,
    peakBoxes: [],
    x0: Number.POSITIVE_INFINITY,
    y0: Number.POSITIVE_INFINITY,
    x1: Number.NEGATIVE_INFINITY,
    y1: Number.NEGATIVE_INFINITY,
  };
  absorb(d, result, tMs);
  return d;
}

/** Adds a motion frame to a draft; true when the peak score or the covered area grew. */
function absorb(d: Draft, result: TrackerInput, tMs: number): boolean {
  d.lastMotionMs = tMs;
  d.frames++;
  let grew = false;
  if (result.score > d.peakScore) {
    d.peakScore = result.score;
    d.peakMs = tMs;
    d.peakBoxes = result.boxes.map((b) => ({ ...b }));
    grew = true;
  }
  for (const b of result.boxes) {
    const x0 = Math.min(d.x0, b.x);
    const y0 = Math.min(d.y0, b.y);
    const x1 = Math.max(d.x1, b.x + b.w);
    const y1 = Math.max(d.y1, b.y + b.h);
    if (x0 !== d.x0 || y0 !== d.y0 || x1 !== d.x1 || y1 !== d.y1) {
      d.x0 = x0;
      d.y0 = y0;
      d.x1 = x1;
      d.y1 = y1;
      grew = true;
    }
  }
  return grew;
}
