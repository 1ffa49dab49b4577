// Synthetic gray frames for the motion unit tests: a deterministic textured scene, Gaussian sensor
// noise, solid rectangles (objects), a global brightness/contrast change and a "foliage" patch.

import { MotionDetector } from "../../../src/motion/detector.js";
import type { MotionDetectorOptions, MotionResult } from "../../../src/motion/types.js";

/** Deterministic PRNG (mulberry32): tests must not flake on an unlucky noise draw. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  value: number;
}

export interface FrameSpec {
  /** Sensor noise standard deviation in levels. */
  noise?: number;
  /** Added to every pixel (a light switch, exposure step). */
  offset?: number;
  /** Multiplies the scene around mid-gray (contrast/IR change). */
  gain?: number;
  rects?: Rect[];
  /** Called last with (x, y, value) -> value, for patches that change per frame. */
  paint?: (x: number, y: number, v: number) => number;
}

/** A table of standard normal draws, built once: Box-Muller per pixel made the tests slow. */
const GAUSS = (() => {
  const rand = rng(12345);
  const table = new Float32Array(1 << 20);
  for (let i = 0; i < table.length; i++) {
    table[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return table;
})();

export class Scene {
  readonly base: Float64Array;
  private readonly rand: () => number;

  constructor(
    readonly width: number,
    readonly height: number,
    options: { seed?: number; flat?: number } = {},
  ) {
    this.rand = rng(options.seed ?? 1);
    this.base = new Float64Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        this.base[y * width + x] =
          options.flat ?? 70 + (100 * x) / width + 20 * Math.sin(x / 6) * Math.cos(y / 4);
      }
    }
  }

  frame(spec: FrameSpec = {}): Uint8Array {
    const { width, height, base } = this;
    const out = new Uint8Array(width * height);
    const noise = spec.noise ?? 2;
    const gain = spec.gain ?? 1;
    const offset = spec.offset ?? 0;
    // A random window into the table per frame, so consecutive frames get independent noise.
    let g = Math.floor(this.rand() * (GAUSS.length - width * height));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = base[y * width + x]!;
        for (const r of spec.rects ?? []) {
          if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) v = r.value;
        }
        if (spec.paint) v = spec.paint(x, y, v);
        v = 128 + (v - 128) * gain + offset + noise * GAUSS[g++]!;
        out[y * width + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
    return out;
  }
}

/** Runs `frames` frames through a fresh detector; `spec(i)` describes frame i. */
export function run(
  options: MotionDetectorOptions,
  scene: Scene,
  frames: number,
  spec: (i: number) => FrameSpec,
): MotionResult[] {
  const det = new MotionDetector(options);
  const out: MotionResult[] = [];
  for (let i = 0; i < frames; i++) out.push(det.process(scene.frame(spec(i)), i * 100));
  return out;
}

export const motionFrames = (results: MotionResult[]): number[] =>
  results.flatMap((r, i) => (r.motion ? [i] : []));
