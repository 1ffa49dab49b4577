import { spawn } from "node:child_process";
import { ApiError } from "@homecam/shared";

/**
 * Largest snapshot sent in a `command.result`: base64 adds a third, so 180 KiB of JPEG becomes
 * 240 KiB of text, which leaves room for the frame within `MAX_MESSAGE_BYTES` (256 KiB).
 */
export const SNAPSHOT_MAX_BYTES = 180 * 1024;

/** Re-encoding attempts, gentlest first: `-q:v` (2 best … 31 worst) and the widest width kept. */
const LADDER: readonly { width: number; quality: number }[] = [
  { width: 1280, quality: 4 },
  { width: 1280, quality: 8 },
  { width: 1280, quality: 14 },
  { width: 960, quality: 18 },
  { width: 640, quality: 24 },
  { width: 480, quality: 31 },
];

export interface FitJpegOptions {
  maxBytes?: number;
  ffmpegPath?: string;
  /** Per ffmpeg run (default 15 s). */
  timeoutMs?: number;
}

/**
 * `jpeg` itself when it is small enough, else re-encoded with ffmpeg at width ≤ 1280 and lower
 * quality until it fits. Throws `ApiError` `E_PAYLOAD_TOO_LARGE` when nothing fits.
 */
export async function fitJpeg(jpeg: Buffer, opts: FitJpegOptions = {}): Promise<Buffer> {
  const max = opts.maxBytes ?? SNAPSHOT_MAX_BYTES;
  if (jpeg.length <= max) return jpeg;
  for (const step of LADDER) {
    const out = await reencodeJpeg(jpeg, step.width, step.quality, opts);
    if (out.length <= max) return out;
  }
  throw new ApiError("E_PAYLOAD_TOO_LARGE", `the snapshot cannot be made smaller than ${max} bytes`);
}

/** One ffmpeg run, JPEG in on stdin, JPEG out on stdout; width capped (never enlarged). */
export function reencodeJpeg(
  jpeg: Buffer,
  maxWidth: number,
  quality: number,
  opts: Pick<FitJpegOptions, "ffmpegPath" | "timeoutMs"> = {},
): Promise<Buffer> {
  const args = [
    ...["-hide_banner", "-loglevel", "error", "-f", "jpeg_pipe", "-i", "pipe:0"],
    ...["-vf", `scale=w='min(iw,${maxWidth})':h=-2`, "-frames:v", "1", "-q:v", String(quality)],
    ...["-c:v", "mjpeg", "-f", "image2pipe", "pipe:1"],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(opts.ffmpegPath ?? "ffmpeg", args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 15_000);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString("utf8")).slice(-2048);
    });
    // ffmpeg may exit before reading everything (a broken JPEG): its exit code tells why, not EPIPE.
    child.stdin.on("error", () => {});
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`ffmpeg could not be run: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = Buffer.concat(out);
      if (code === 0 && result.length > 0) resolve(result);
      else reject(new Error(`ffmpeg re-encode failed (${signal ?? `exit ${code}`}): ${err.trim()}`));
    });
    child.stdin.end(jpeg);
  });
}
