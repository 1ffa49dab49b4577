import type { Segment } from "../capture/segment.js";
import { locateFrame } from "./frame-locate.js";
import { extractJpeg, type JpegFile } from "./jpeg-frame.js";
import { RecordingError } from "./recording-error.js";
import type { RunOptions } from "./run-ffmpeg.js";

export interface ThumbnailOptions extends RunOptions {
  /** Default 320 px: enough for an event list, a few kB each. Smaller sources are not upscaled. */
  maxWidth?: number;
  /** mjpeg `-q:v` (2 best … 31 worst); default 4. */
  quality?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

/**
 * Write the event's thumbnail: the frame at `atMs` (the peak-motion time, wall clock) taken from
 * the ring segment holding it, or from the nearest segment when that moment is not in the ring.
 */
export async function writeThumbnail(
  segments: readonly Segment[],
  atMs: number,
  outPath: string,
  opts: ThumbnailOptions = {},
): Promise<JpegFile> {
  const at = locateFrame(segments, atMs);
  if (!at)
    throw new RecordingError("HC_ERR_RECORDING_NO_SEGMENTS", "no ring segment to take a thumbnail from");
  const result = await extractJpeg(at.segment.path, at.offsetMs, outPath, {
    ...opts,
    maxWidth: opts.maxWidth ?? 320,
    quality: opts.quality ?? 4,
  });
  return result as JpegFile;
}
