import { RecordingError } from "./recording-error.js";
import { type RunOptions, runTool } from "./run-ffmpeg.js";

/** What a clip, thumbnail or snapshot holds, as ffprobe reports its first video stream. */
export interface ProbeResult {
  /** ffprobe's codec name: `h264`, `mjpeg`… */
  codec: string;
  width: number;
  height: number;
  /** Media duration; 0 for a still image. */
  durationMs: number;
  /** Video packets counted by reading the file (no decoding); only with `countFrames`. */
  frames?: number;
}

export interface ProbeOptions extends RunOptions {
  /** Read the whole file to count packets (one per frame for video). */
  countFrames?: boolean;
  ffprobePath?: string;
}

/** Probe a media file's first video stream. Rejects with `HC_ERR_RECORDING_PROBE` when there is none. */
export async function probe(path: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const args = ["-v", "error", "-select_streams", "v:0"];
  if (opts.countFrames) args.push("-count_packets");
  args.push(
    "-show_entries",
    "stream=codec_name,width,height,duration,nb_read_packets:format=duration",
    "-of",
    "json",
    path,
  );
  const out = await runTool(opts.ffprobePath ?? "ffprobe", args, opts);
  return parseProbeJson(out.stdout.toString("utf8"), path, opts.countFrames === true);
}

interface RawProbe {
  streams?: Array<Record<string, unknown>>;
  format?: Record<string, unknown>;
}

/** Exported for tests: turn ffprobe's JSON into a {@link ProbeResult}. */
export function parseProbeJson(json: string, path: string, withFrames: boolean): ProbeResult {
  let raw: RawProbe;
  try {
    raw = JSON.parse(json) as RawProbe;
  } catch (err) {
    throw new RecordingError("HC_ERR_RECORDING_PROBE", `ffprobe output for ${path} is not JSON`, {
      cause: err,
    });
  }
  const stream = raw.streams?.[0];
  if (!stream || typeof stream["codec_name"] !== "string") {
    throw new RecordingError("HC_ERR_RECORDING_PROBE", `${path} has no video stream`);
  }
  // Fragmented MP4 often has no per-stream duration (it lives in the fragments); the container's
  // duration, which ffprobe sums over the fragments it read, is the fallback.
  const seconds = toNumber(stream["duration"]) ?? toNumber(raw.format?.["duration"]) ?? 0;
  const result: ProbeResult = {
    codec: stream["codec_name"],
    width: toNumber(stream["width"]) ?? 0,
    height: toNumber(stream["height"]) ?? 0,
    durationMs: Math.round(seconds * 1000),
  };
  const frames = toNumber(stream["nb_read_packets"]);
  if (withFrames && frames !== undefined) result.frames = frames;
  return result;
}

function toNumber(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
