import type { Segment } from "../capture/segment.js";
import { newestSegment } from "./frame-locate.js";
import { extractJpeg, type JpegFile } from "./jpeg-frame.js";
import { RecordingError } from "./recording-error.js";
import type { RunOptions } from "./run-ffmpeg.js";

export interface SnapshotOptions extends RunOptions {
  /** mjpeg `-q:v` (2 best … 31 worst); default 2: a snapshot is looked at closely. */
  quality?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

/**
 * The current picture at full resolution: the last frame of the newest ring segment. Reading the
 * ring instead of opening the camera again works with every source and never disturbs capture.
 * The picture is as old as the newest segment's end (about one segment when the ring lists
 * finished segments only).
 */
export async function snapshotBuffer(
  segments: readonly Segment[],
  opts: SnapshotOptions = {},
): Promise<Buffer> {
  return (await snapshot(segments, null, opts)) as Buffer;
}

/** {@link snapshotBuffer}, written atomically to `outPath` (the CLI's `snapshot -o file`). */
export async function writeSnapshot(
  segments: readonly Segment[],
  outPath: string,
  opts: SnapshotOptions = {},
): Promise<JpegFile> {
  return (await snapshot(segments, outPath, opts)) as JpegFile;
}

function snapshot(segments: readonly Segment[], outPath: string | null, opts: SnapshotOptions) {
  const newest = newestSegment(segments);
  if (!newest)
    throw new RecordingError("HC_ERR_RECORDING_NO_SEGMENTS", "no ring segment to take a snapshot from");
  // An offset past the end is clamped to the segment's last frame.
  return extractJpeg(newest.path, Number.MAX_SAFE_INTEGER, outPath, { ...opts, quality: opts.quality ?? 2 });
}
