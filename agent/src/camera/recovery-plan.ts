import type { RecordingSettings } from "@homecam/shared";
import type { Segment } from "../capture/segment.js";
import type { EventMetadata } from "../store/events-repo.js";

// Pure decisions of crash recovery (recovery.ts performs them).

/** A ring segment file left by the crashed run: its last write time and, once probed, its length. */
export interface LeftSegment {
  path: string;
  /** Last modification, epoch ms: when ffmpeg last wrote it, i.e. the segment's end. */
  mtimeMs: number;
  durationMs?: number;
}

/**
 * When an event left open by a crash ended: at the last video the ring holds (the agent was alive
 * and recording until then), never before it started, never after the longest event the tracker
 * allows (it would have split it), and for a manual recording never after its planned end.
 */
export function interruptedEndMs(
  event: { startedAt: number; metadata: Pick<EventMetadata, "plannedEndMs"> },
  lastSegmentEndMs: number | undefined,
  maxDurationMs: number,
): number {
  let end = lastSegmentEndMs ?? event.startedAt;
  end = Math.min(end, event.startedAt + maxDurationMs);
  const planned = event.metadata.plannedEndMs;
  if (typeof planned === "number" && Number.isFinite(planned)) end = Math.min(end, planned);
  return Math.max(event.startedAt, Math.round(end));
}

/** The clip window of an interrupted event, as the pipeline would have cut it. */
export function recoveryWindow(
  startedAt: number,
  endedAt: number,
  rec: Pick<RecordingSettings, "preRollSeconds" | "postRollSeconds" | "maxSeconds">,
): { startMs: number; endMs: number } {
  const startMs = startedAt - rec.preRollSeconds * 1000;
  return { startMs, endMs: Math.min(endedAt + rec.postRollSeconds * 1000, startMs + rec.maxSeconds * 1000) };
}

/**
 * Which left-over files may hold video of `[fromMs, toMs]` and need probing: a segment ends at its
 * mtime and is at most `maxSegmentMs` long (ffmpeg cuts at the first key frame after the segment
 * time, so allow two segments' length).
 */
export function filesToProbe(
  files: readonly LeftSegment[],
  fromMs: number,
  toMs: number,
  maxSegmentMs: number,
): LeftSegment[] {
  return files.filter((f) => f.mtimeMs > fromMs && f.mtimeMs - maxSegmentMs < toMs);
}

/**
 * Wall-clock segments from probed files: each ends at its mtime and starts its duration earlier.
 * Consecutive segments overlapping or separated by less than `joinMs` (mtime and duration jitter)
 * are made to touch, as the live ring's timeline does. Files that could not be probed are dropped.
 */
export function segmentsFromFiles(files: readonly LeftSegment[], joinMs = 150): Segment[] {
  const out: Segment[] = [];
  const sorted = files
    .filter((f): f is Required<LeftSegment> => (f.durationMs ?? 0) > 0)
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const f of sorted) {
    const prev = out.at(-1);
    let startMs = f.mtimeMs - f.durationMs;
    if (prev && Math.abs(startMs - prev.endMs) < joinMs) startMs = prev.endMs;
    out.push({ path: f.path, startMs, endMs: f.mtimeMs });
  }
  return out;
}
