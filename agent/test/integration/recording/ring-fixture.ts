import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Segment } from "../../../src/capture/segment.js";
import { probe } from "../../../src/recording/ffprobe.js";

const exec = promisify(execFile);

export const FPS = 10;
export const FRAME_MS = 1000 / FPS;

/** A camera ring generated with real ffmpeg: 2 s MPEG-TS H.264 segments, key frame every 1 s. */
export interface Ring {
  dir: string;
  segments: Segment[];
  /** Wall clock of frame 0; frame N was shown at `t0 + N × 100 ms`. */
  t0: number;
}

/**
 * testsrc2 (640x360, 10 fps) with an 80x80 patch in the top-left corner whose luma is 16 + N for
 * frame N: measuring the patch of any decoded frame tells which source frame it is, so tests can
 * check *when* a clip starts and ends and *which* frame a thumbnail shows, not only how long.
 */
export async function makeRing(dir: string, seconds: number, t0: number): Promise<Ring> {
  await exec("ffmpeg", [
    ...["-hide_banner", "-nostdin", "-v", "error"],
    ...["-f", "lavfi", "-i", `testsrc2=size=640x360:rate=${FPS}:duration=${seconds}`],
    ...[
      "-f",
      "lavfi",
      "-i",
      `color=c=black:size=80x80:rate=${FPS}:duration=${seconds},geq=lum='16+N':cb=128:cr=128`,
    ],
    ...["-filter_complex", "[0:v][1:v]overlay=0:0:shortest=1,format=yuv420p"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-keyint_min", "10", "-sc_threshold", "0"],
    ...["-f", "segment", "-segment_time", "2", "-reset_timestamps", "1", join(dir, "seg%05d.ts")],
  ]);
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();
  const segments: Segment[] = [];
  let startMs = t0;
  // Wall-clock times as a ring would assign them: each segment starts where the previous ended.
  for (const f of files) {
    const path = join(dir, f);
    const { durationMs } = await probe(path);
    segments.push({ path, startMs, endMs: startMs + durationMs });
    startMs += durationMs;
  }
  return { dir, segments, t0 };
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `homecam-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The source frame number shown by every frame of `file`, in order, read from the corner patch.
 * `patchPx` is the patch size in the file (80 at full size, 40 in a 320-wide thumbnail).
 */
export async function frameNumbers(file: string, patchPx = 80): Promise<number[]> {
  const inset = patchPx / 10;
  const size = patchPx - 2 * inset;
  const { stdout } = await exec(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-v", "error", "-i", file],
      ...["-vf", `crop=${size}:${size}:${inset}:${inset},scale=1:1:flags=area,format=gray`],
      ...["-f", "rawvideo", "pipe:1"],
    ],
    { encoding: "buffer", maxBuffer: 1 << 20 },
  );
  // The gray conversion expands limited-range luma: gray = (Y − 16) × 255/219 = N × 255/219.
  return [...stdout].map((g) => Math.round((g * 219) / 255));
}

/** Decode every frame (`ffmpeg -v error -i file -f null -`): the "it plays" check. */
export async function decodeAll(file: string): Promise<{ ok: boolean; stderr: string }> {
  try {
    const { stderr } = await exec("ffmpeg", [
      "-hide_banner",
      "-nostdin",
      "-v",
      "error",
      "-i",
      file,
      "-f",
      "null",
      "-",
    ]);
    return { ok: true, stderr };
  } catch (err) {
    return { ok: false, stderr: String((err as { stderr?: string }).stderr ?? err) };
  }
}
