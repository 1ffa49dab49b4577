// Turning the agent's RTSP capture command into the benchmark's file command, and the variants
// tried when looking for CPU. Pure: unit-tested in bench/test/motion-bench.test.ts.

import type { FfmpegPlan } from "../../agent/src/capture/ffmpeg-args.js";
import type { Interval } from "./types.js";

/** A change to the product's command, to measure what an argument-builder change would buy. */
export interface Variant {
  name: string;
  description: string;
  /** Input options added before `-re -i <file>`. */
  inputArgs?: string[];
  /** Input options of the builder to drop, each with its value (e.g. "-skip_loop_filter"). */
  dropInputOptions?: string[];
  /** Replaces the analysis filter (`-vf`). */
  vf?: string;
  /** false: the analysis output only, no ring segments. */
  ring?: boolean;
  /** Overrides the camera's motion.analysisFps. */
  analysisFps?: number;
  /** Overrides the camera's motion.analysisWidth. */
  analysisWidth?: number;
  /** false: frames are read but not analysed (the cost of the pipe and Node alone). */
  detect?: boolean;
  /** Analysis output options added after the filter. */
  outputArgs?: string[];
  /** EventTracker options overriding the ones derived from the camera config. */
  tracker?: { minDurationMs?: number; dropoutMs?: number };
  /** MotionDetector warm-up frames (default 25). */
  detectorWarmupFrames?: number;
}

export interface WorkerConfig {
  input: WorkerInput;
  ringDir: string;
  /**
   * Frames run through a throwaway detector (at the analysis size of a `source`-sized camera)
   * before ffmpeg starts, so V8 has optimised the detector as in an agent that has been running for
   * a while (0: measure it cold).
   */
  jitWarmup: { source: { width: number; height: number }; frames: number };
  variant: Variant;
}

export interface WorkerReport {
  /** Wall-clock epoch ms (of the frames' arrival), mapped to file time by the orchestrator. */
  events: Interval[];
  frames: number;
  motionFrames: number;
  rebases: number;
  segments: number;
  analysisSize: string;
  detectorSize: string;
  commandLine: string;
}

export const PRODUCT: Variant = { name: "product", description: "the agent's command as built" };

/** Variants selectable with --variants (the product itself always runs). */
export const VARIANTS: Variant[] = [
  { name: "no-ring", description: "analysis output only (no stream-copy ring segments)", ring: false },
  {
    name: "keyframes",
    description:
      "-skip_frame nokey alone: CPU only (fps=5 repeats each key frame in bursts, the tracker sees no events)",
    inputArgs: ["-skip_frame", "nokey"],
  },
  {
    name: "flags2-fast",
    description: "-flags2 fast (non-spec-compliant decoder speed-ups)",
    inputArgs: ["-flags2", "fast"],
  },
  {
    name: "loop-filter-on",
    description: "without -skip_loop_filter all (what that flag saves)",
    dropInputOptions: ["-skip_loop_filter"],
  },
  {
    name: "threads-auto",
    description: "without -threads 1 (ffmpeg's automatic decoder threads)",
    dropInputOptions: ["-threads"],
  },
  {
    name: "fps-2",
    description:
      "analysis at 2 fps: no events at all (EventTracker's dropoutMs 400 < the 500 ms frame interval)",
    analysisFps: 2,
  },
  { name: "fps-3", description: "analysis at 3 fps instead of 5", analysisFps: 3 },
  {
    name: "width-160",
    description:
      "analysisWidth 160: ffmpeg scales to 160x90, the size the detector decimates 320x180 to anyway",
    analysisWidth: 160,
  },
  {
    name: "scale-neighbor",
    description: "scale with flags=neighbor instead of fast_bilinear",
    vf: "fps=5,scale=320:-2:flags=neighbor,format=gray",
  },
  {
    name: "keyframes-only",
    description:
      "Kerberos-style: key frames only, no fps filter (one analysis frame per GOP), tracker and warm-up adapted",
    inputArgs: ["-skip_frame", "nokey"],
    vf: "scale=320:-2:flags=fast_bilinear,format=gray",
    outputArgs: ["-fps_mode", "passthrough"],
    tracker: { minDurationMs: 0, dropoutMs: 5000 },
    detectorWarmupFrames: 5,
  },
  {
    name: "no-detector",
    description: "frames read by Node but not analysed (pipe + Node baseline)",
    detect: false,
  },
];

/** The benchmark camera's RTSP URL when the feed is a file; adaptPlan swaps it for the file. */
export const PLACEHOLDER_URL = "rtsp://camera.invalid/stream";

/** Where our ffmpeg reads the scene: the file itself (paced by -re) or the local RTSP server. */
export type WorkerInput = { kind: "file"; file: string } | { kind: "rtsp"; url: string };

/** The RTSP URL the benchmark camera is configured with. */
export const cameraUrl = (input: WorkerInput): string =>
  input.kind === "rtsp" ? input.url : PLACEHOLDER_URL;

/**
 * The product's plan for an RTSP camera, for a file input with its RTSP options dropped (decoder
 * options kept) and `-re -i <file>` instead, then the variant applied. Throws when the command no
 * longer has the shape this expects, so a builder change cannot silently turn the benchmark into
 * something else.
 */
export function adaptPlan(plan: FfmpegPlan, config: Pick<WorkerConfig, "input" | "variant">): FfmpegPlan {
  const { variant, input } = config;
  const args = [...plan.args];
  const iInput = args.indexOf("-i");
  if (iInput < 0 || args[iInput + 1] !== cameraUrl(input)) throw new Error("no RTSP input in the plan");
  const inputOpts = args.slice(0, iInput);
  const drop = (name: string) => {
    const i = inputOpts.indexOf(name);
    if (i < 0) throw new Error(`the plan has no input option ${name}`);
    inputOpts.splice(i, 2);
  };
  const fileOnly = input.kind === "file" ? ["-rtsp_transport", "-timeout"] : [];
  for (const name of [...fileOnly, ...(variant.dropInputOptions ?? [])]) drop(name);
  const out = [
    ...inputOpts,
    ...(variant.inputArgs ?? []),
    ...(input.kind === "file" ? ["-re", "-i", input.file] : ["-i", input.url]),
    ...args.slice(iInput + 2),
  ];

  const iVf = out.indexOf("-vf");
  if (iVf < 0) throw new Error("the plan has no analysis output");
  if (variant.vf !== undefined) out[iVf + 1] = variant.vf;
  if (variant.outputArgs) out.splice(iVf + 2, 0, ...variant.outputArgs);
  let pipes = plan.pipes;
  if (variant.ring === false) {
    const firstMap = out.indexOf("-map");
    const analysisMap = out.lastIndexOf("-map", iVf);
    if (firstMap < analysisMap) out.splice(firstMap, analysisMap - firstMap);
    pipes = pipes.filter((p) => p.role !== "segment-list");
  }
  return { ...plan, args: out, pipes };
}
