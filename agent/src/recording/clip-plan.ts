import type { Segment } from "../capture/segment.js";
import { RecordingError } from "./recording-error.js";

/** A closed-open wall-clock interval, epoch ms. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

export interface ClipPlanOptions {
  /** Seconds kept before the event starts (default 5, as `recording.preRollSeconds`). */
  preRollSeconds?: number;
  /** Seconds kept after the event ends (default 10, as `recording.postRollSeconds`). */
  postRollSeconds?: number;
  /** Longest clip, pre- and post-roll included (default 60, as `recording.maxSeconds`). */
  maxSeconds?: number;
  /**
   * Largest hole between consecutive segments still joined into one part (default 1000 ms). A hole
   * shorter than a GOP is timestamp jitter; a missing segment (≥ ~2 s) or a camera restart is not,
   * and joining across it would make the clip lie about when things happened.
   */
  maxGapMs?: number;
  /** Parts shorter than this are dropped: a sliver at the edge of a gap shows nothing (default 500 ms). */
  minPartMs?: number;
}

/** One contiguous run of segments to join by stream copy into one clip file. */
export interface ClipPart {
  /** 0, 1, … in time order. */
  index: number;
  /** Consecutive segments; the part's time lies within them. */
  segments: Segment[];
  /** Wall-clock start of the wanted video (inside `segments[0]`). */
  startMs: number;
  /** Wall-clock end of the wanted video (inside the last segment). */
  endMs: number;
  /** `-ss`: offset of `startMs` into the first segment. Stream copy cuts at a key frame at or before it. */
  seekMs: number;
  /** `-t`: `endMs − startMs`. */
  durationMs: number;
}

export interface ClipPlan {
  /** `[start − preRoll, end + postRoll]`, its end pulled in to respect `maxSeconds`. */
  window: TimeRange;
  /** True when `maxSeconds` shortened the window. */
  clamped: boolean;
  parts: ClipPart[];
  /** Pieces of `window` with no video: before the ring's oldest segment, in gaps, or not yet recorded. */
  uncovered: TimeRange[];
}

const DEFAULTS = { preRollSeconds: 5, postRollSeconds: 10, maxSeconds: 60, maxGapMs: 1000, minPartMs: 500 };

/**
 * Decide which ring segments make the clip of an event `[startMs, endMs]`, and where to trim.
 * When the window is longer than `maxSeconds` its start is kept (the pre-roll shows what triggered
 * the event) and its end cut; the event tracker splits longer events into further clips.
 */
export function planClip(
  segments: readonly Segment[],
  event: TimeRange,
  options: ClipPlanOptions = {},
): ClipPlan {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isFinite(event.startMs) || !Number.isFinite(event.endMs)) {
    throw new RecordingError("HC_ERR_RECORDING_INVALID_ARGUMENT", "planClip: event times must be finite");
  }
  for (const [name, value] of Object.entries(o)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RecordingError(
        "HC_ERR_RECORDING_INVALID_ARGUMENT",
        `planClip: ${name} must be finite and ≥ 0`,
      );
    }
  }
  const startMs = event.startMs - o.preRollSeconds * 1000;
  const wantedEnd = Math.max(event.endMs, event.startMs) + o.postRollSeconds * 1000;
  const endMs = Math.min(wantedEnd, startMs + o.maxSeconds * 1000);
  const window = { startMs, endMs };

  const parts: ClipPart[] = [];
  for (const run of contiguousRuns(overlapping(segments, window), o.maxGapMs)) {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const partStart = Math.max(startMs, first.startMs);
    const partEnd = Math.min(endMs, last.endMs);
    if (partEnd - partStart < o.minPartMs) continue;
    parts.push({
      index: parts.length,
      segments: run,
      startMs: partStart,
      endMs: partEnd,
      seekMs: partStart - first.startMs,
      durationMs: partEnd - partStart,
    });
  }
  return { window, clamped: endMs < wantedEnd, parts, uncovered: uncoveredRanges(window, parts) };
}

/** Valid segments that share some time with the window, in time order, each file once. */
function overlapping(segments: readonly Segment[], w: TimeRange): Segment[] {
  const seen = new Set<string>();
  return segments
    .filter((s) => s.endMs > s.startMs && s.endMs > w.startMs && s.startMs < w.endMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs)
    .filter((s) => !seen.has(s.path) && seen.add(s.path));
}

/**
 * Split sorted segments where the timeline breaks: a hole longer than `maxGapMs`, or an overlap of
 * the same size (the wall clock stepped back, e.g. NTP after a restart) that joining would turn
 * into repeated video.
 */
function contiguousRuns(sorted: readonly Segment[], maxGapMs: number): Segment[][] {
  const runs: Segment[][] = [];
  let run: Segment[] = [];
  for (const seg of sorted) {
    const prev = run[run.length - 1];
    if (prev && Math.abs(seg.startMs - prev.endMs) > maxGapMs) {
      runs.push(run);
      run = [];
    }
    run.push(seg);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function uncoveredRanges(window: TimeRange, parts: readonly ClipPart[]): TimeRange[] {
  const out: TimeRange[] = [];
  let cursor = window.startMs;
  for (const p of parts) {
    if (p.startMs > cursor) out.push({ startMs: cursor, endMs: p.startMs });
    cursor = Math.max(cursor, p.endMs);
  }
  if (cursor < window.endMs) out.push({ startMs: cursor, endMs: window.endMs });
  return out;
}
