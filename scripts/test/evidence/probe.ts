import { execFileSync } from "node:child_process";

/** What ffprobe reads from a clip: its container's duration and its one video stream's codec. */
export interface ClipProbe {
  durationS: number;
  codec: string;
}

/**
 * Demux the clip file with ffprobe: a real demuxer, not a magic-number check. A file, not stdin:
 * the clips are fragmented MP4 whose duration ffprobe only reads right when it can seek through
 * every fragment (from a pipe it guesses from the first ones).
 */
export function probeClip(file: string): ClipProbe {
  const out = execFileSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name", "-of", "json", file],
    { encoding: "utf8" },
  );
  const parsed = JSON.parse(out) as {
    format?: { duration?: string };
    streams?: Array<{ codec_type: string; codec_name: string }>;
  };
  const video = (parsed.streams ?? []).filter((s) => s.codec_type === "video");
  const durationS = Number(parsed.format?.duration);
  if (video.length !== 1 || !Number.isFinite(durationS)) throw new Error(`ffprobe: unexpected ${out}`);
  return { durationS, codec: video[0]!.codec_name };
}
