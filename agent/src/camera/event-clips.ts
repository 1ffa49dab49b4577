import { mkdir } from "node:fs/promises";
import type { Logger } from "@homecam/shared/node";
import type { Segment } from "../capture/segment.js";
import type { ClipPart, ClipPlan } from "../recording/clip-plan.js";
import { type ClipFile, writeClip } from "../recording/clip-writer.js";
import { writeThumbnail } from "../recording/thumbnail.js";
import type { NewRecordingInput } from "../store/recordings-repo.js";
import { clipFile, eventDir, thumbnailFile } from "./clip-paths.js";

/** Where an event's files go and how ffmpeg is run. */
export interface EventFiles {
  clipsDir: string;
  cameraId: string;
  eventId: string;
  /** The event's start: picks the day directory. */
  startedAt: number;
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface EventClipsResult {
  recordings: NewRecordingInput[];
  thumbnail: { path: string; sizeBytes: number } | null;
  /** One line per part or thumbnail that failed; the event is kept without them. */
  errors: string[];
}

function toolOpts(f: EventFiles) {
  return {
    ...(f.ffmpegPath && { ffmpegPath: f.ffmpegPath }),
    ...(f.ffprobePath && { ffprobePath: f.ffprobePath }),
    ...(f.signal && { signal: f.signal }),
  };
}

/** Write one planned part to `<eventId>-<index>.mp4` and describe it as a recordings row. */
export async function writeEventPart(f: EventFiles, part: ClipPart): Promise<ClipFile> {
  await mkdir(eventDir(f.clipsDir, f.cameraId, f.startedAt), { recursive: true });
  return writeClip(part, clipFile(f.clipsDir, f.cameraId, f.startedAt, f.eventId, part.index), toolOpts(f));
}

export function recordingInput(part: ClipPart, clip: ClipFile): NewRecordingInput {
  return {
    index: part.index,
    filePath: clip.path,
    startedAt: part.startMs,
    endedAt: part.endMs,
    durationMs: clip.durationMs,
    sizeBytes: clip.sizeBytes,
    format: clip.format,
  };
}

/**
 * Write every part of `plan` (one at a time: parallel copies only compete for the SD card), then
 * the thumbnail at `thumbnailAtMs` when at least one clip exists. Never throws: a failed part is
 * logged and reported in `errors`, so the event is still ended.
 */
export async function writeEventClips(
  f: EventFiles,
  plan: ClipPlan,
  segments: readonly Segment[],
  thumbnailAtMs: number,
  log: Pick<Logger, "warn">,
): Promise<EventClipsResult> {
  const result: EventClipsResult = { recordings: [], thumbnail: null, errors: [] };
  if (plan.parts.length === 0) {
    result.errors.push("the ring holds no video for the event's time");
    return result;
  }
  for (const part of plan.parts) {
    try {
      result.recordings.push(recordingInput(part, await writeEventPart(f, part)));
    } catch (err) {
      const msg = `clip part ${part.index}: ${(err as Error).message}`;
      log.warn({ err, eventId: f.eventId, part: part.index }, "cannot write a clip of the event");
      result.errors.push(msg);
    }
  }
  if (result.recordings.length > 0) {
    try {
      const path = thumbnailFile(f.clipsDir, f.cameraId, f.startedAt, f.eventId);
      const jpeg = await writeThumbnail(segments, thumbnailAtMs, path, toolOpts(f));
      result.thumbnail = { path: jpeg.path, sizeBytes: jpeg.sizeBytes };
    } catch (err) {
      log.warn({ err, eventId: f.eventId }, "cannot write the event's thumbnail");
      result.errors.push(`thumbnail: ${(err as Error).message}`);
    }
  }
  return result;
}
