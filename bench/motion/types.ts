import type { Interval } from "../../agent/test/integration/motion/score.js";

export type { Interval };

/** One process of a side: its CPU inside the measurement window and its peak memory. */
export interface ProcessUsage {
  name: string;
  cpuSeconds: number;
  /** VmHWM, KiB. */
  peakRssKb: number;
}

/** What one side (Motion, or our pipeline in some variant) did on one scene file. */
export interface SideResult {
  label: string;
  /** Source frames decoded inside the CPU measurement window (steady state, start-up excluded). */
  windowFrames: number;
  windowSeconds: number;
  processes: ProcessUsage[];
  /** Detected events in file time (ms from the file's first frame). */
  events: Interval[];
  /** Short facts worth printing (effective frame rate, analysis size, command line...). */
  notes: string[];
}

export const totalCpu = (r: SideResult): number => r.processes.reduce((s, p) => s + p.cpuSeconds, 0);
export const totalPeakKb = (r: SideResult): number => r.processes.reduce((s, p) => s + p.peakRssKb, 0);
/** CPU seconds per 1000 source frames. */
export const cpuPer1000 = (r: SideResult): number => (1000 * totalCpu(r)) / r.windowFrames;

/**
 * The CPU window skips this much start-up (process start, probing, first key frame, JIT
 * optimisation and the first major GCs, which settle within ~10 s), or a quarter of a short file.
 */
export const WARMUP_S = 10;
export const warmupSeconds = (seconds: number): number => Math.min(WARMUP_S, seconds / 4);
/** ...and ends this long before the end of the file, well before either side reaches end of file. */
export const END_MARGIN_S = 1.5;

/**
 * How the scene reaches both sides. `file`: each side reads the file itself, paced by its own
 * means (Motion: netcam_params capture_rate; ffmpeg: -re). `rtsp`: a local RTSP server (the
 * "camera", not counted for either side) streams the file at its frame rate, as an IP camera would.
 */
export type Feed = { kind: "file" } | { kind: "rtsp"; baseUrl: string; serverPid: number };

export const rtspUrl = (feed: Extract<Feed, { kind: "rtsp" }>, key: string): string =>
  `${feed.baseUrl}/${key}`;
