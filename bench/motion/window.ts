// The CPU measurement window, taken the same way for both sides by the orchestrating process (so
// the sampling costs neither side anything). The process reading the scene file (the side itself
// for a file feed, the RTSP server for an RTSP feed) is polled for its offset in the file; CPU of
// every process of the side is read when the reader passes the frame WARMUP_S into the file (a
// quarter of a short file) and
// again END_MARGIN_S before its end. Source frames in the window = frames read between the two.
// Start-up (process start, probing, first key frame, JIT warm-up) is excluded, as a camera runs
// for months; each side's own pacing (Motion's file reader runs a little slow or fast) is
// accounted for by counting frames, not seconds.

import { cpuSeconds, filePosition, memory } from "./proc.js";
import { framesBefore, type Scene } from "./scene.js";
import { END_MARGIN_S, type ProcessUsage, warmupSeconds } from "./types.js";

export interface Window {
  windowFrames: number;
  windowSeconds: number;
  processes: ProcessUsage[];
  /** Wall-clock epoch ms → file time ms, from the reader's progress during the window. */
  fileTime: (wallMs: number) => number;
  /** Wall-clock epoch ms at which the reader reaches the end of the file (estimated). */
  endAtMs: number;
}

export interface WindowOptions {
  scene: Scene;
  /** The process reading the scene file. */
  readerPid: number;
  /** Every process of the side (name, pid), sampled for CPU and peak memory. */
  processes: { name: string; pid: number }[];
  /** Rejects the wait early (the side died). */
  failed: Promise<never>;
  pollMs?: number;
}

export async function measureWindow(o: WindowOptions): Promise<Window> {
  const { scene } = o;
  const startFrame = Math.round(warmupSeconds(scene.frames / scene.fps) * scene.fps);
  const endFrame = scene.frames - Math.round(END_MARGIN_S * scene.fps);
  const deadline = Date.now() + ((scene.frames / scene.fps) * 1.5 + 20) * 1000;
  const sample = () => o.processes.map((p) => cpuSeconds(p.pid) ?? Number.NaN);
  let start: { at: number; frame: number; cpu: number[] } | undefined;
  let stop = false;
  o.failed.catch(() => {
    stop = true;
  });
  for (;;) {
    await Promise.race([sleep(o.pollMs ?? 20), o.failed]);
    if (stop) await o.failed;
    if (Date.now() > deadline) throw new Error("the side never reached the end of the measurement window");
    const pos = filePosition(o.readerPid, scene.file);
    if (pos === undefined) continue;
    const frame = framesBefore(scene, pos);
    if (!start) {
      if (frame >= startFrame) start = { at: Date.now(), frame, cpu: sample() };
      continue;
    }
    if (frame < endFrame) continue;
    const cpu = sample();
    const at = Date.now();
    const s = start;
    const framesPerMs = (frame - s.frame) / (at - s.at);
    return {
      windowFrames: frame - s.frame,
      windowSeconds: (at - s.at) / 1000,
      processes: o.processes.map((p, i) => ({
        name: p.name,
        cpuSeconds: cpu[i]! - s.cpu[i]!,
        peakRssKb: memory(p.pid)?.hwmKb ?? Number.NaN,
      })),
      fileTime: (wallMs) => ((s.frame + (wallMs - s.at) * framesPerMs) * 1000) / scene.fps,
      endAtMs: at + (scene.frames - frame) / framesPerMs,
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
