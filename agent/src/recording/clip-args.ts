/**
 * Pure pieces of the clip command line: the concat demuxer's list and ffmpeg's arguments.
 * Fragmented MP4 (`frag_keyframe+empty_moov`) puts an empty `moov` first and one `moof` per GOP, so a
 * half-uploaded clip, or one still being written, plays up to its last complete fragment;
 * `default_base_moof` keeps fragments self-contained as MSE and browsers expect. `+faststart`
 * would be pointless here: the `moov` already comes first.
 */

/** The concat demuxer's list (https://ffmpeg.org/ffmpeg-formats.html#concat-1) of absolute paths. */
export function concatList(paths: readonly string[]): string {
  // Inside single quotes the only special character is the quote itself: close, escape, reopen.
  const lines = paths.map((p) => `file '${p.replaceAll("'", "'\\''")}'`);
  return `ffconcat version 1.0\n${lines.join("\n")}\n`;
}

/**
 * The key frame to start from: the latest one at or before `seekMs`, so the clip never loses
 * pre-roll (it gains at most one GOP). 0 when none is known: ring segments start with a key frame.
 */
export function cutAtKeyframe(seekMs: number, keyframesMs: readonly number[]): number {
  let cut = 0;
  for (const k of keyframesMs) if (k <= seekMs && k > cut) cut = k;
  return cut;
}

export interface ClipArgsInput {
  listPath: string;
  outPath: string;
  /** Key frame to start at, ms from the first segment's start (see {@link cutAtKeyframe}). */
  cutMs: number;
  /** Where the clip stops, ms from the first segment's start. */
  endMs: number;
}

/**
 * ffmpeg arguments joining the listed segments by stream copy. `-ss`/`-t` are output options on
 * purpose: an output-side `-ss` with stream copy drops packets before it and starts at the first
 * key frame at or after it, which is deterministic, whereas an input-side seek in MPEG-TS (5.1) is
 * not. `-ss` sits 1 ms before the chosen key frame so float rounding cannot skip it.
 */
export function clipArgs(input: ClipArgsInput): string[] {
  const ssMs = input.cutMs > 0 ? input.cutMs - 1 : 0;
  const trim = ssMs > 0 ? ["-ss", seconds(ssMs)] : [];
  return [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    input.listPath,
    ...trim,
    "-t",
    seconds(Math.max(0, input.endMs - ssMs)),
    // Video only: ring segments are H.264 (see capture/segment.ts); a camera's G.711 audio could
    // not be stream-copied into MP4 and would fail the whole clip.
    "-map",
    "0:v:0",
    "-c",
    "copy",
    "-movflags",
    "+frag_keyframe+empty_moov+default_base_moof",
    "-f",
    "mp4",
    "-y",
    input.outPath,
  ];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
