import { execFileSync } from "node:child_process";

/** What ffprobe reads from an image: its codec and size. */
export interface ImageProbe {
  codec: string;
  width: number;
  height: number;
}

/** True when `bytes` start with a JPEG's SOI marker (FF D8) and end with its EOI marker (FF D9). */
export function hasJpegMarkers(bytes: Buffer): boolean {
  const n = bytes.length;
  return n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9;
}

/** Decode the image's header with Debian's ffprobe (from stdin): a real decoder, not a magic check. */
export function probeImage(bytes: Buffer): ImageProbe {
  const out = execFileSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height"].concat([
      "-of",
      "json",
      "-i",
      "pipe:0",
    ]),
    { input: bytes, encoding: "utf8" },
  );
  const streams = (
    JSON.parse(out) as { streams?: Array<{ codec_name: string; width: number; height: number }> }
  ).streams;
  const [stream, ...more] = streams ?? [];
  if (!stream || more.length > 0) throw new Error(`ffprobe: expected one video stream, got ${out}`);
  return { codec: stream.codec_name, width: stream.width, height: stream.height };
}
