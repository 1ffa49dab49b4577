import { commitFile, discardFile, tempPathFor } from "./atomic-file.js";
import { readPacketTimes } from "./packet-times.js";
import { RecordingError } from "./recording-error.js";
import { type RunOptions, runTool } from "./run-ffmpeg.js";

export interface JpegFrameOptions extends RunOptions {
  /** Scale down to at most this width, keeping the aspect ratio; full resolution when absent. */
  maxWidth?: number;
  /** mjpeg `-q:v`, 2 (best) … 31 (worst). */
  quality: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

/** A JPEG written to disk. */
export interface JpegFile {
  path: string;
  sizeBytes: number;
}

export interface JpegArgsInput {
  input: string;
  /** Output-side `-ss` in ms (decode from the file start, keep the first frame at or after it). */
  ssMs: number;
  maxWidth?: number;
  quality: number;
  /** A file path, or `pipe:1` for stdout. */
  output: string;
}

/**
 * Pure: ffmpeg arguments decoding one frame into a JPEG. The seek is an output option, i.e. exact
 * to the frame: input-side seeking in MPEG-TS lands on the next key frame in ffmpeg 5.1, up to a
 * GOP late. Decoding a 2 s segment from its start costs little.
 */
export function jpegArgs(a: JpegArgsInput): string[] {
  const scale = a.maxWidth ? ["-vf", `scale='min(${a.maxWidth},iw)':-2`] : [];
  const sink = a.output === "pipe:1" ? ["-f", "image2pipe"] : ["-f", "image2", "-update", "1", "-y"];
  return [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-i",
    a.input,
    "-ss",
    (a.ssMs / 1000).toFixed(3),
    "-map",
    "0:v:0",
    "-frames:v",
    "1",
    ...scale,
    "-c:v",
    "mjpeg",
    "-q:v",
    String(a.quality),
    ...sink,
    a.output,
  ];
}

/**
 * Decode the frame of `segmentPath` at (or just after) `offsetMs`, clamped to the segment's last
 * frame, into `outPath` (atomically) or, when `outPath` is null, into a Buffer.
 */
export async function extractJpeg(
  segmentPath: string,
  offsetMs: number,
  outPath: string | null,
  opts: JpegFrameOptions,
): Promise<Buffer | JpegFile> {
  const { lastFrameMs } = await readPacketTimes(segmentPath, opts);
  // 1 ms before the last frame's time so rounding cannot push `-ss` past it and yield no frame.
  const ssMs = Math.max(0, Math.min(offsetMs, lastFrameMs - 1));
  const base = { input: segmentPath, ssMs, maxWidth: opts.maxWidth, quality: opts.quality };
  const ffmpeg = opts.ffmpegPath ?? "ffmpeg";
  if (outPath === null) {
    const { stdout: jpeg } = await runTool(ffmpeg, jpegArgs({ ...base, output: "pipe:1" }), opts);
    if (jpeg.length === 0) throw noFrame(segmentPath, offsetMs);
    return jpeg;
  }
  const tmpPath = tempPathFor(outPath);
  try {
    await runTool(ffmpeg, jpegArgs({ ...base, output: tmpPath }), opts);
    const sizeBytes = await commitFile(tmpPath, outPath).catch((err: NodeJS.ErrnoException) => {
      throw err.code === "ENOENT" ? noFrame(segmentPath, offsetMs) : err;
    });
    return { path: outPath, sizeBytes };
  } catch (err) {
    await discardFile(tmpPath);
    throw err;
  }
}

function noFrame(path: string, offsetMs: number): RecordingError {
  return new RecordingError("HC_ERR_RECORDING_EMPTY_OUTPUT", `no frame in ${path} at ${offsetMs} ms`);
}
