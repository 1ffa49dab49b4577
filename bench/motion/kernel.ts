// Per-frame cost of the motion detector (blur + background kernel + regions), in memory, one thread.
// Run: npx tsx bench/motion/kernel.ts [runs]
// Goal (performance notes §8): <= 3 ns per input pixel on the x86 reference VM, i.e. >= 5,000 fps
// at 320x180. Frames are realistic: a textured static scene, Gaussian sensor noise (sigma 4) and a
// moving blob, so the hot loop sees both changed and unchanged pixels and regions are found every
// frame (the worst case: idle frames skip the region work, reported as idle_ns_per_pixel).
// Prints one JSON line per size; exits 1 when a size misses the goal.

import { blur3x3, downsample2x2 } from "../../agent/src/motion/blur.js";
import { MotionDetector } from "../../agent/src/motion/detector.js";

const FRAMES = 120;
const runs = Number(process.argv[2] ?? 9);

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeFrames(width: number, height: number, blob: boolean): Uint8Array[] {
  const rand = rng(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const scene = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Gradient + mid-frequency texture, like a wall and a lawn.
      scene[y * width + x] = 60 + (120 * x) / width + 25 * Math.sin(x / 7) * Math.cos(y / 5);
    }
  }
  const r = height / 8;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const frame = new Uint8Array(width * height);
    const cx = ((f * 4 * width) / 320) % width;
    const cy = height / 2 + (height / 4) * Math.sin(f / 10);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inBlob = blob && (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        const v = (inBlob ? 220 : scene[y * width + x]!) + 4 * gauss();
        frame[y * width + x] = Math.min(255, Math.max(0, v));
      }
    }
    frames.push(frame);
  }
  return frames;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/** Median ns per input pixel of `fn` over all frames, after a JIT warm-up long enough for V8 to
 * replace its on-stack-replacement code with the fully optimised function (~1,000 calls). */
function time(frames: Uint8Array[], pixels: number, fn: (f: Uint8Array) => void): number {
  for (let pass = 0; pass < 15; pass++) for (const f of frames) fn(f);
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let pass = 0; pass < 4; pass++) for (const f of frames) fn(f);
    samples.push(Number(process.hrtime.bigint() - t0) / (4 * frames.length * pixels));
  }
  return median(samples);
}

function bench(width: number, height: number): boolean {
  const pixels = width * height;
  const moving = makeFrames(width, height, true);
  const still = makeFrames(width, height, false);
  // One detector per scene for all runs, like production (a fresh one would spend runs warming up).
  const det = new MotionDetector({ width, height });
  let motion = 0;
  let frames = 0;
  const ns = time(moving, pixels, (f) => {
    frames++;
    if (det.process(f, 0).motion) motion++;
  });
  const idleDet = new MotionDetector({ width, height });
  const idleNs = time(still, pixels, (f) => idleDet.process(f, 0));
  // Reference points from the same run: the blur stage alone and a plain frame copy (bandwidth).
  const small = new Uint8Array(det.analysisWidth * det.analysisHeight);
  const tmp = new Uint16Array(pixels);
  const blurNs =
    det.analysisWidth < width
      ? time(moving, pixels, (f) => downsample2x2(f, small, width, height))
      : time(moving, pixels, (f) => blur3x3(f, small, tmp, width, height));
  const dst = new Uint8Array(pixels);
  const copyNs = time(moving, pixels, (f) => dst.set(f));
  const pass = ns <= 3;
  console.log(
    JSON.stringify({
      size: `${width}x${height}`,
      analysis: `${det.analysisWidth}x${det.analysisHeight}`,
      ns_per_pixel: +ns.toFixed(3),
      ms_per_frame: +((ns * pixels) / 1e6).toFixed(4),
      frames_per_s: Math.round(1e9 / (ns * pixels)),
      motion_frames: +(motion / frames).toFixed(3),
      idle_ns_per_pixel: +idleNs.toFixed(3),
      blur_stage_ns_per_pixel: +blurNs.toFixed(3),
      frame_copy_ns_per_pixel: +copyNs.toFixed(4),
      goal_ns_per_pixel: 3,
      pass,
    }),
  );
  return pass;
}

const ok = [bench(320, 180), bench(640, 360)].every(Boolean);
process.exitCode = ok ? 0 : 1;
