import { join } from "node:path";
import type { CameraSource, MotionSettings, RecordingSettings } from "@homecam/shared";
import { maskSecretsInText } from "@homecam/shared";
import { CaptureError } from "./capture-error.js";
import { tapCopyOutput, teeRingWithTap } from "./rtp-tap.js";
import { SEGMENT_PATTERN } from "./segment-files.js";
import { type ProducerCommand, type SourceContext, type SourceInput, sourceInput } from "./source-input.js";

/**
 * One ffmpeg per camera, decoding once, feeding several outputs (as scrypted does). Each output is a
 * spec; a later issue adds live RTP/fMP4 kinds here. Until then `extra` passes arguments through.
 */
export type OutputSpec =
  /** The on-disk ring: MPEG-TS segments, their list on a pipe. */
  | { kind: "ring"; dir: string; segmentSeconds: number; startNumber: number }
  /** Gray raw frames on stdout for motion analysis. */
  | { kind: "analysis"; fps: number; width: number }
  /**
   * Arguments after `-map` (codec, format…); with `pipe: true` the builder appends `pipe:<fd>` and
   * reports the fd. `from` picks the recorded input (default) or the analysis input.
   */
  | { kind: "extra"; name: string; args: readonly string[]; pipe: boolean; from?: "record" | "analysis" }
  /**
   * The live tap: the recorded H.264 as RTP to a loopback port (capture/rtp-tap.ts). Stream copy
   * for H.264 sources; an encoded ring shares its encoder with the tap through the tee muxer.
   */
  | { kind: "tap"; port: number };

/** A file descriptor of the ffmpeg child that carries one output (or the segment list). */
export interface PipePlan {
  fd: number;
  role: "analysis" | "segment-list" | `extra:${string}`;
}

/** Everything needed to run one camera's capture. */
export interface FfmpegPlan {
  file: string;
  args: string[];
  /** Started first; its stdout is ffmpeg's stdin (then `q` cannot be sent: stop the producer instead). */
  producer?: ProducerCommand;
  /** Output pipes beyond stderr; fd 1 is stdout. */
  pipes: PipePlan[];
  /** `copy` when the source is H.264, else `libx264`. */
  recording: "copy" | "libx264";
  /** Analysis frame size, when the source size is known before ffmpeg probes it. */
  analysis?: { fps: number; width: number; height?: number };
}

/** The slice of a camera's config capture needs (`CameraConfig` satisfies it). */
export interface CaptureSettings {
  source: CameraSource;
  motion: Pick<MotionSettings, "analysisFps" | "analysisWidth">;
  recording: Pick<RecordingSettings, "segmentSeconds">;
}

export interface BuildContext extends SourceContext {
  ringDir: string;
  /** First segment number of this ffmpeg run (continues after the highest on disk). */
  startNumber: number;
  ffmpegPath?: string;
  /** Further outputs of the same ffmpeg (live view, later). */
  extraOutputs?: readonly OutputSpec[];
}

/** The fd of the segment list; analysis is stdout (fd 1), extra pipes follow from fd 4. */
export const SEGMENT_LIST_FD = 3;

/** The ffmpeg command of one camera: ring + analysis (+ extra outputs), or why it cannot be built. */
export function buildCaptureCommand(
  settings: CaptureSettings,
  ctx: BuildContext,
): { ok: true; plan: FfmpegPlan } | { ok: false; error: CaptureError } {
  const input = sourceInput(settings.source, ctx);
  if (input instanceof CaptureError) return { ok: false, error: input };
  const outputs: OutputSpec[] = [
    {
      kind: "ring",
      dir: ctx.ringDir,
      segmentSeconds: settings.recording.segmentSeconds,
      startNumber: ctx.startNumber,
    },
    { kind: "analysis", fps: settings.motion.analysisFps, width: settings.motion.analysisWidth },
    ...(ctx.extraOutputs ?? []),
  ];
  return { ok: true, plan: buildFfmpegArgs(input, outputs, ctx.ffmpegPath) };
}

/** Assemble global options, inputs and outputs. Pure: table-tested. */
export function buildFfmpegArgs(
  input: SourceInput,
  outputs: readonly OutputSpec[],
  file = "ffmpeg",
): FfmpegPlan {
  const args = [
    "-hide_banner",
    "-nostats", // progress lines would flood the stderr tail we derive reasons from
    "-loglevel",
    "info", // the stream/output dump lines tell the analysis frame size
    "-y", // never stop at an "Overwrite?" prompt: stdin carries only our `q`
    ...input.args,
  ];
  const pipes: PipePlan[] = [];
  let nextFd = SEGMENT_LIST_FD + 1;
  let recording: FfmpegPlan["recording"] = "copy";
  let analysis: FfmpegPlan["analysis"];
  const tap = outputs.find((o) => o.kind === "tap");

  for (const out of outputs) {
    switch (out.kind) {
      case "ring": {
        const enc = ringEncoding(input, tap !== undefined);
        recording = enc.recording;
        const muxer = tap && !input.recordIsH264 ? teeRingWithTap(ringMuxer(out), tap.port) : ringMuxer(out);
        args.push("-map", `${input.recordInput}:v:0`, ...enc.args, ...muxer);
        pipes.push({ fd: SEGMENT_LIST_FD, role: "segment-list" });
        break;
      }
      case "tap": {
        // An encoded ring already feeds the tap through the tee (one encode for both).
        if (input.recordIsH264) args.push("-map", `${input.recordInput}:v:0`, ...tapCopyOutput(out.port));
        break;
      }
      case "analysis": {
        const height = input.size ? analysisHeight(input.size, out.width) : undefined;
        analysis = { fps: out.fps, width: out.width, ...(height !== undefined && { height }) };
        args.push(
          "-map",
          `${input.analysisInput}:v:0`,
          "-vf",
          analysisFilter(out),
          "-f",
          "rawvideo",
          "pipe:1",
        );
        pipes.push({ fd: 1, role: "analysis" });
        break;
      }
      case "extra": {
        const from = out.from === "analysis" ? input.analysisInput : input.recordInput;
        args.push("-map", `${from}:v:0`, ...out.args);
        if (out.pipe) {
          const fd = nextFd++;
          args.push(`pipe:${fd}`);
          pipes.push({ fd, role: `extra:${out.name}` });
        }
        break;
      }
    }
  }
  return {
    file,
    args,
    pipes,
    recording,
    ...(analysis && { analysis }),
    ...(input.producer && { producer: input.producer }),
  };
}

function ringEncoding(
  input: SourceInput,
  tapped: boolean,
): { recording: FfmpegPlan["recording"]; args: string[] } {
  if (input.recordIsH264) return { recording: "copy", args: ["-c:v", "copy"] };
  const gop = String(input.fps);
  return {
    recording: "libx264",
    args: [
      ...(input.outputRate ? ["-r", String(input.outputRate)] : []),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-tune",
      "zerolatency",
      // 4:2:0: MJPEG cameras deliver 4:2:2, which browsers cannot play.
      "-pix_fmt",
      "yuv420p",
      // Tapped for live view: Constrained Baseline, which every browser's WebRTC decodes (≈10 % larger
      // clips than the default High profile, instead of a second encode for the live view).
      ...(tapped ? ["-profile:v", "baseline"] : []),
      // A key frame every second exactly, never at scene cuts: segments and clips cut at 1 s granularity.
      "-g",
      gop,
      "-keyint_min",
      gop,
      "-sc_threshold",
      "0",
      "-force_key_frames",
      "expr:gte(t,n_forced*1)",
    ],
  };
}

function ringMuxer(out: Extract<OutputSpec, { kind: "ring" }>): string[] {
  return [
    "-f",
    "segment",
    "-segment_format",
    "mpegts", // readable while being written, unlike MP4 (dependencies.md §5)
    "-segment_time",
    String(out.segmentSeconds),
    "-reset_timestamps",
    "1",
    "-segment_start_number",
    String(out.startNumber),
    // One csv line per closed segment (name,start,end in stream seconds), flushed as it closes.
    "-segment_list",
    `pipe:${SEGMENT_LIST_FD}`,
    "-segment_list_type",
    "csv",
    join(out.dir, SEGMENT_PATTERN),
  ];
}

function analysisFilter(out: Extract<OutputSpec, { kind: "analysis" }>): string {
  // fps first so dropped frames are never scaled; -2 keeps the height even; fast_bilinear is −16 % CPU
  // against bicubic (performance.md §4.3) and plenty for motion.
  return `fps=${out.fps},scale=${out.width}:-2:flags=fast_bilinear,format=gray`;
}

/** The height ffmpeg's `scale=<width>:-2` gives for a source size (av_rescale rounding, then even). */
export function analysisHeight(src: { width: number; height: number }, width: number): number {
  return Math.max(2, Math.floor((width * src.height + src.width) / (2 * src.width)) * 2);
}

/** A command line for logs: shell-quoted where needed, credentials in URLs masked. */
export function formatCommandLine(file: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return maskSecretsInText([file, ...args].map(quote).join(" "));
}
