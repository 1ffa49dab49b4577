import type { MotionSettings, RecordingSettings } from "@homecam/shared";
import type { EventTrackerOptions } from "../motion/index.js";

/**
 * The event tracker's options for a camera. The dropout (how long a candidate event survives a
 * frame without motion) must span at least 1.5 analysis frame intervals: with the tracker's
 * default 400 ms, any analysisFps below 2.5 could never string two motion frames together, so a
 * camera configured at 1–2 fps (the schema allows 1) would never record an event.
 */
export function trackerOptionsFor(motion: MotionSettings, recording: RecordingSettings): EventTrackerOptions {
  return {
    minDurationMs: motion.minDurationMs,
    eventGapMs: motion.eventGapSeconds * 1000,
    maxDurationMs: recording.maxSeconds * 1000,
    dropoutMs: Math.max(400, Math.ceil(1500 / motion.analysisFps)),
  };
}
