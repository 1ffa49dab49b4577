import { access, constants, writeFile } from "node:fs/promises";
import { commitFile, discardFile, tempPathFor } from "./atomic-file.js";
import { clipArgs, concatList, cutAtKeyframe } from "./clip-args.js";
import type { ClipPart } from "./clip-plan.js";
import { probe } from "./ffprobe.js";
import { readPacketTimes } from "./packet-times.js";
import { RecordingError } from "./recording-error.js";
import { type RunOptions, runTool } from "./run-ffmpeg.js";

/** A finished clip on disk. */
export interface ClipFile {
  path: string;
  /** As ffprobe measures the written file. */
  durationMs: number;
  sizeBytes: number;
  format: "mp4";
}

export interface WriteClipOptions extends RunOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
}

/**
 * Join one planned part's segments into a fragmented MP4 at `outPath` by stream copy (no
 * re-encoding: a Pi cannot afford it and copying keeps the camera's quality). The file appears
 * under its final name only when complete and fsynced; an existing file there is replaced.
 */
export async function writeClip(
  part: ClipPart,
  outPath: string,
  opts: WriteClipOptions = {},
): Promise<ClipFile> {
  const first = part.segments[0];
  if (!first)
    throw new RecordingError("HC_ERR_RECORDING_NO_SEGMENTS", `clip part ${part.index} has no segments`);
  await assertSegmentsExist(part);
  const { keyframesMs } = await readPacketTimes(first.path, opts);
  const tmpPath = tempPathFor(outPath);
  const listPath = `${tmpPath}.ffconcat`;
  try {
    await writeFile(listPath, concatList(part.segments.map((s) => s.path)));
    const args = clipArgs({
      listPath,
      outPath: tmpPath,
      cutMs: cutAtKeyframe(part.seekMs, keyframesMs),
      endMs: part.seekMs + part.durationMs,
    });
    const { stderr } = await runTool(opts.ffmpegPath ?? "ffmpeg", args, opts);
    // The concat demuxer treats a file it cannot open as the end of input and ffmpeg exits 0 with
    // a shortened clip; a segment the ring overwrote after the check above ends up here.
    if (stderr.includes("Impossible to open")) {
      throw new RecordingError("HC_ERR_RECORDING_FFMPEG", `clip part ${part.index}: ${stderr.trim()}`);
    }
    const info = await probe(tmpPath, opts);
    if (info.durationMs <= 0) {
      throw new RecordingError("HC_ERR_RECORDING_EMPTY_OUTPUT", `clip part ${part.index} came out empty`);
    }
    const sizeBytes = await commitFile(tmpPath, outPath);
    return { path: outPath, durationMs: info.durationMs, sizeBytes, format: "mp4" };
  } catch (err) {
    await discardFile(tmpPath);
    throw err;
  } finally {
    await discardFile(listPath);
  }
}

/** Fail early and clearly when the ring already recycled a segment of the part. */
async function assertSegmentsExist(part: ClipPart): Promise<void> {
  for (const s of part.segments) {
    try {
      await access(s.path, constants.R_OK);
    } catch (err) {
      throw new RecordingError("HC_ERR_RECORDING_NO_SEGMENTS", `segment ${s.path} is gone or unreadable`, {
        cause: err,
      });
    }
  }
}
