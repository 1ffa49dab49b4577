import type { Segment } from "../capture/segment.js";
import { type ClipPlan, planClip } from "./clip-plan.js";
import type { ClipFile } from "./clip-writer.js";
import { RecordingError } from "./recording-error.js";

/** What `recordNow` needs from the rest of the agent (injected so the logic tests without I/O). */
export interface ManualRecordingDeps {
  /** Wall clock, epoch ms. */
  now: () => number;
  /**
   * Resolve with the ring's segments once they cover up to `toMs` (the ring owner knows when a
   * segment closes), or reject/abort. May resolve early with what exists, e.g. the camera stopped.
   */
  waitForSegments: (toMs: number, signal?: AbortSignal) => Promise<readonly Segment[]>;
  /** Write one planned part (normally `writeClip` with a path chosen by the caller). */
  writePart: (part: ClipPlan["parts"][number]) => Promise<ClipFile>;
}

export interface RecordNowOptions {
  /** Seconds of the ring kept before "now" (default 5, as `recording.preRollSeconds`). */
  preRollSeconds?: number;
  signal?: AbortSignal;
}

/** The outcome of a manual recording: the plan (with any uncovered pieces) and the clips written. */
export interface ManualRecording {
  plan: ClipPlan;
  clips: ClipFile[];
}

/** Longest manual recording, as `recording.maxSeconds` allows at most (shared config schema). */
export const MAX_MANUAL_SECONDS = 600;

/**
 * Record `[now − preRoll, now + seconds]` on request (CLI `homecam record`, the viewer's record
 * button): wait until the ring holds the end, then cut the clip from it exactly as for an event.
 * A camera restart in between yields several parts.
 */
export async function recordNow(
  seconds: number,
  deps: ManualRecordingDeps,
  opts: RecordNowOptions = {},
): Promise<ManualRecording> {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_MANUAL_SECONDS) {
    throw new RecordingError(
      "HC_ERR_RECORDING_INVALID_ARGUMENT",
      `recording length must be in (0, ${MAX_MANUAL_SECONDS}] seconds, got ${seconds}`,
    );
  }
  const preRollSeconds = opts.preRollSeconds ?? 5;
  const now = deps.now();
  const endMs = now + seconds * 1000;
  const segments = await deps.waitForSegments(endMs, opts.signal);
  const plan = planClip(
    segments,
    { startMs: now, endMs },
    { preRollSeconds, postRollSeconds: 0, maxSeconds: preRollSeconds + seconds },
  );
  if (plan.parts.length === 0) {
    throw new RecordingError(
      "HC_ERR_RECORDING_NO_SEGMENTS",
      "the ring holds no video for the requested time",
    );
  }
  const clips: ClipFile[] = [];
  // One at a time: parallel stream copies only compete for the same SD card.
  for (const part of plan.parts) {
    opts.signal?.throwIfAborted();
    clips.push(await deps.writePart(part));
  }
  return { plan, clips };
}
