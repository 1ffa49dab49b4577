// Shared types of the motion core. Kept free of runtime code so every other file can import them
// without pulling anything else in.

/** An axis-aligned rectangle in normalised frame coordinates: (0,0) top-left, (1,1) bottom-right. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A point in normalised frame coordinates, the same shape as the config schema's `pointSchema`. */
export type Point = readonly [number, number];

export type ZoneMode = "include" | "exclude";

/**
 * A polygon zone. Structurally compatible with the agent config's zone (`{name, mode, points}`) so a
 * parsed config can be passed straight in, without the motion core depending on the config package.
 */
export interface Zone {
  readonly name?: string;
  readonly mode: ZoneMode;
  readonly points: readonly Point[];
}

export interface MotionDetectorOptions {
  /** Frame width in pixels (frames are 8-bit gray, row-major, no padding). */
  width: number;
  height: number;
  /** 1 = only large, high-contrast changes; 100 = everything. Default 60. */
  sensitivity?: number;
  /** Include/exclude polygons. None (the default) = the whole frame. */
  zones?: readonly Zone[];
  /** Overrides the sensitivity's minimum region area, as a fraction of the frame area (0..1). */
  minAreaFraction?: number;
  /** Frames used to learn the background before anything may fire. Default 25. */
  warmupFrames?: number;
}

export interface MotionResult {
  /** 0..1, grows with the area of the accepted regions (see detector.ts for the curve). */
  score: number;
  /** Accepted regions, largest first, normalised 0..1 (cell-grid resolution). */
  boxes: Box[];
  /** Fraction of the active (zone) pixels that differ from the background this frame, 0..1. */
  changedFraction: number;
  /** True when this frame was treated as a lighting change and the background was re-learnt. */
  rebased: boolean;
  /** True when at least one region passed the filters (never during warm-up or a re-base). */
  motion: boolean;
}

/**
 * Kinds of recorded events. The motion tracker produces `motion`; `manual` (a user pressed record)
 * and `scheduled` (a timetable) are created elsewhere with the same event shape; `sound` is
 * reserved for an audio detector that does not exist yet.
 */
export type EventType = "motion" | "manual" | "scheduled" | "sound";
