import { RecordingError } from "./recording-error.js";
import { type RunOptions, runTool } from "./run-ffmpeg.js";

/** Where the frames of one segment file sit, in ms from the file's start (what ffmpeg's `-ss` counts from). */
export interface PacketTimes {
  /** Key frames, ascending. The first is 0 for a ring segment (each starts with one). */
  keyframesMs: number[];
  /** The last frame in presentation order. */
  lastFrameMs: number;
}

/**
 * List the video packets of a (small) segment without decoding it. Needed because seeking inside
 * MPEG-TS is not key-frame exact in ffmpeg 5.1: an input-side `-ss` lands on the *next* key frame or,
 * through the concat demuxer, on an unrelated one (measured; see recording/README.md). Knowing the
 * key frames lets the writer cut exactly at one with an output-side `-ss`.
 */
export async function readPacketTimes(
  path: string,
  opts: RunOptions & { ffprobePath?: string } = {},
): Promise<PacketTimes> {
  const args = [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "packet=pts_time,dts_time,flags:format=start_time",
    "-of",
    "json",
    path,
  ];
  const out = await runTool(opts.ffprobePath ?? "ffprobe", args, opts);
  return parsePacketTimes(out.stdout.toString("utf8"), path);
}

interface RawPackets {
  packets?: Array<{ pts_time?: string; dts_time?: string; flags?: string }>;
  format?: { start_time?: string };
}

/** Exported for tests: turn ffprobe's packet listing into {@link PacketTimes}. */
export function parsePacketTimes(json: string, path: string): PacketTimes {
  let raw: RawPackets;
  try {
    raw = JSON.parse(json) as RawPackets;
  } catch (err) {
    throw new RecordingError("HC_ERR_RECORDING_PROBE", `ffprobe packets of ${path} are not JSON`, {
      cause: err,
    });
  }
  const start = Number(raw.format?.start_time ?? 0);
  const keyframesMs: number[] = [];
  let lastFrameMs = Number.NEGATIVE_INFINITY;
  for (const p of raw.packets ?? []) {
    const pts = Number(p.pts_time);
    const dts = Number(p.dts_time);
    const times = [pts, dts].filter(Number.isFinite);
    if (times.length === 0) continue;
    // ffmpeg compares a copied packet's decode-side time with `-ss`: with B-frames the key frame's
    // dts precedes its pts, so the earlier of the two is the safe cut point.
    if (p.flags?.startsWith("K")) keyframesMs.push(Math.round((Math.min(...times) - start) * 1000));
    if (Number.isFinite(pts)) lastFrameMs = Math.max(lastFrameMs, Math.round((pts - start) * 1000));
  }
  if (!Number.isFinite(lastFrameMs)) {
    throw new RecordingError("HC_ERR_RECORDING_PROBE", `${path} has no video packets`);
  }
  keyframesMs.sort((a, b) => a - b);
  return { keyframesMs, lastFrameMs };
}
