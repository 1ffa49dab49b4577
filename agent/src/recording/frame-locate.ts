import type { Segment } from "../capture/segment.js";

/** Where a wall-clock instant lies in the ring: a segment and an offset into it. */
export interface FrameLocation {
  segment: Segment;
  /** ms from the segment's start, within `[0, duration)`. */
  offsetMs: number;
}

/**
 * The segment holding `atMs`, or the nearest one when `atMs` falls in a gap or outside the ring
 * (a thumbnail from the closest moment beats no thumbnail). Null when there are no segments.
 */
export function locateFrame(segments: readonly Segment[], atMs: number): FrameLocation | null {
  let best: { segment: Segment; distance: number } | null = null;
  for (const segment of segments) {
    if (segment.endMs <= segment.startMs) continue;
    const distance =
      atMs < segment.startMs ? segment.startMs - atMs : atMs >= segment.endMs ? atMs - segment.endMs + 1 : 0;
    if (!best || distance < best.distance) best = { segment, distance };
  }
  if (!best) return null;
  const { segment } = best;
  const offsetMs = Math.min(Math.max(atMs - segment.startMs, 0), segment.endMs - segment.startMs - 1);
  return { segment, offsetMs };
}

/** The segment that ends last: the ring's most recent video. Null when there are none. */
export function newestSegment(segments: readonly Segment[]): Segment | null {
  let newest: Segment | null = null;
  for (const s of segments) if (!newest || s.endMs > newest.endMs) newest = s;
  return newest;
}
