// Our side, in a process of its own so its CPU and peak memory are only the pipeline's: the agent's
// ffmpeg command (buildCaptureCommand, ring + analysis outputs) run by the agent's FfmpegRun
// (FrameReader, segment list, stderr tail), and every analysis frame through MotionDetector and
// EventTracker configured from the camera config's defaults, as the agent wires them.
//
// The camera is an RTSP source: the local RTSP server's URL for an RTSP feed (the product's command
// verbatim), or, for a file feed, a placeholder whose input options adaptPlan swaps for
// `-re -i <file>` so the file plays at its own frame rate like a live stream.
//
// Usage: node ours-worker.mjs '<WorkerConfig JSON>'; prints one WorkerReport JSON line on stdout.

import { mkdirSync, rmSync } from "node:fs";
import { cameraConfigSchema } from "@homecam/shared";
import { systemClock } from "../../agent/src/capture/clock.js";
import {
  analysisHeight,
  buildCaptureCommand,
  type FfmpegPlan,
  formatCommandLine,
} from "../../agent/src/capture/ffmpeg-args.js";
import { FfmpegRun } from "../../agent/src/capture/ffmpeg-run.js";
import type { AnalysisFrame } from "../../agent/src/capture/frame-reader.js";
import { MotionDetector } from "../../agent/src/motion/detector.js";
import { EventTracker, type TrackerTransition } from "../../agent/src/motion/event-tracker.js";
import { adaptPlan, cameraUrl, type WorkerConfig, type WorkerReport } from "./ours-plan.js";

async function main(config: WorkerConfig): Promise<WorkerReport> {
  const camera = cameraConfigSchema.parse({
    id: "bench",
    name: "Bench",
    source: { type: "rtsp", url: cameraUrl(config.input), transport: "tcp" },
    motion: {
      ...(config.variant.analysisFps !== undefined && { analysisFps: config.variant.analysisFps }),
      ...(config.variant.analysisWidth !== undefined && { analysisWidth: config.variant.analysisWidth }),
    },
  });
  rmSync(config.ringDir, { recursive: true, force: true });
  mkdirSync(config.ringDir, { recursive: true });
  const built = buildCaptureCommand(camera, { ringDir: config.ringDir, startNumber: 0 });
  if (!built.ok) throw built.error;
  const plan: FfmpegPlan = adaptPlan(built.plan, config);

  const tracker = new EventTracker({
    minDurationMs: camera.motion.minDurationMs,
    eventGapMs: camera.motion.eventGapSeconds * 1000,
    maxDurationMs: camera.recording.maxSeconds * 1000,
    ...config.variant.tracker,
  });
  let detector: MotionDetector | undefined;
  let seen = false;
  let frames = 0;
  let motionFrames = 0;
  let rebases = 0;
  let segments = 0;
  const events: WorkerReport["events"] = [];
  const collect = (transitions: TrackerTransition[]) => {
    for (const t of transitions) {
      if (t.kind === "end") events.push({ startMs: t.event.startMs, endMs: t.endMs });
    }
  };

  const { analysisWidth } = camera.motion;
  warmUp(analysisWidth, analysisHeight(config.jitWarmup.source, analysisWidth), config.jitWarmup.frames);
  const run = new FfmpegRun({
    plan,
    ringDir: config.ringDir,
    clock: systemClock,
    log: { warn: (o: unknown, m?: string) => console.error("warn", m, o), debug: () => {} },
    onSegment: () => {
      segments++;
    },
    onFrame: (frame: AnalysisFrame) => {
      seen = true;
      frames++;
      if (config.variant.detect === false) return;
      detector ??= new MotionDetector({
        width: frame.width,
        height: frame.height,
        sensitivity: camera.motion.sensitivity,
        zones: camera.motion.zones,
        ...(config.variant.detectorWarmupFrames !== undefined && {
          warmupFrames: config.variant.detectorWarmupFrames,
        }),
      });
      const result = detector.process(frame.data, frame.timestampMs);
      if (result.motion) motionFrames++;
      if (result.rebased) rebases++;
      collect(tracker.push(result, frame.timestampMs));
    },
  });
  // The orchestrator measures CPU and memory from outside (window.ts): it needs ffmpeg's pid.
  process.stdout.write(`${JSON.stringify({ ffmpegPid: run.pid })}\n`);

  const exit = await run.exited;
  if (seen) collect(tracker.flush(systemClock.now()));
  rmSync(config.ringDir, { recursive: true, force: true });
  if (exit.code !== 0) {
    throw new Error(
      `ffmpeg exited ${exit.code ?? exit.signal} after ${frames} frames:\n${run.stderrLines().slice(-15).join("\n")}`,
    );
  }
  return {
    events,
    frames,
    motionFrames,
    rebases,
    segments,
    analysisSize: detector ? `${detector.width}x${detector.height}` : "?",
    detectorSize: detector ? `${detector.analysisWidth}x${detector.analysisHeight}` : "?",
    commandLine: formatCommandLine(plan.file, plan.args),
  };
}

/**
 * Steady state without waiting for it: V8 fully optimises the detector's loops after ~1,000 frames
 * (kernel.ts), 200 s of a 5 fps camera. Synthetic noisy frames with a moving blob exercise the
 * same paths (kernel, regions, boxes) as the scene.
 */
function warmUp(width: number, height: number, frames: number): void {
  if (frames <= 0) return;
  const det = new MotionDetector({ width, height });
  // The frame reader hands out views of Node's pipe chunks (Buffer) or its own Uint8Array (a frame
  // split across chunks): warm up on both, as the detector sees both in production.
  const plain = new Uint8Array(width * height);
  const chunk = Buffer.alloc(width * height + 64).subarray(32, 32 + width * height);
  let seed = 1;
  for (let f = 0; f < frames; f++) {
    const frame = f % 2 === 0 ? plain : chunk;
    const cx = (f * 3) % width;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const inBlob = Math.abs(x - cx) < width / 20 && Math.abs(y - height / 2) < height / 6;
        frame[y * width + x] = inBlob ? 30 : 80 + ((x * 7 + y * 3) & 63) + (seed >>> 29);
      }
    }
    det.process(frame, f * 200);
  }
}

main(JSON.parse(process.argv[2] ?? "{}") as WorkerConfig).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
