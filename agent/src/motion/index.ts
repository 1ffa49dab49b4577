// Public surface of the motion core: pure, synchronous, no I/O and no dependencies.

export { DEFAULT_WARMUP_FRAMES, MotionDetector } from "./detector.js";
export {
  DEFAULT_EVENT_TRACKER_OPTIONS,
  type EventEndReason,
  EventTracker,
  type EventTrackerOptions,
  type MotionEvent,
  type TrackerInput,
  type TrackerTransition,
} from "./event-tracker.js";
export { DEFAULT_SENSITIVITY, type SensitivityParams, sensitivityParams } from "./sensitivity.js";
export type {
  Box,
  EventType,
  MotionDetectorOptions,
  MotionResult,
  Point,
  Zone,
  ZoneMode,
} from "./types.js";
