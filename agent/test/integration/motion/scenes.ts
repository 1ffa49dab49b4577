// Synthetic camera scenes rendered by real ffmpeg lavfi sources, with exact ground truth, decoded
// to the detector's input format (gray 320x180 raw frames through a pipe, as the agent does).
// Sources are 640x360 at 10 fps and scaled down like a camera substream would be.

import { spawn, spawnSync } from "node:child_process";
import type { Interval } from "./score.js";

export const FPS = 10;
export const WIDTH = 320;
export const HEIGHT = 180;

export interface SceneSpec {
  name: string;
  seconds: number;
  /** A lavfi filtergraph producing one 640x360 video stream. */
  graph: string;
  /** When a real object is in view (empty: nothing should ever fire). */
  truth: Interval[];
}

/** A frozen testsrc2 frame: a static, textured, high-contrast "room". */
const STILL = "testsrc2=s=640x360:r=10,trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/10/TB";
/** Temporal sensor noise as a cheap camera produces in daylight; seeded so runs are identical. */
const SENSOR = "noise=alls=6:allf=t:all_seed=4242";

const seconds = (pairs: [number, number][]): Interval[] =>
  pairs.map(([a, b]) => ({ startMs: a * 1000, endMs: b * 1000 }));
/** lavfi `enable` expression true inside any of the intervals. */
const during = (pairs: [number, number][]): string =>
  pairs.map(([a, b]) => `between(t\\,${a}\\,${b})`).join("+");

// Appearances separated by more than the tracker's 5 s event gap, so each is its own event.
const APPEAR: [number, number][] = [
  [3, 7],
  [14, 18],
  [25, 28],
  [35, 38],
];
const APPEAR_SMALL: [number, number][] = [
  [2, 6],
  [13, 17],
  [24, 29],
  [35, 39],
];

/** A 40x40 white object crossing the lower half while "present". */
const movingObject = (input: string, pairs: [number, number][]): string =>
  `${input}[bg];color=c=white:s=40x40:r=10[obj];` +
  `[bg][obj]overlay=x='40+mod(t*90\\,560)':y=230:enable='${during(pairs)}',${SENSOR}`;

/**
 * Foliage: a frozen cellular-automaton texture (high-contrast, fine detail, like leaves against
 * the sky) swaying +-4 px at 1.3 Hz and +-2 px at 0.9 Hz in the upper left.
 */
const FOLIAGE =
  `${STILL}[still];cellauto=s=160x120:rule=18:r=10,format=gray,trim=end_frame=1,` +
  "loop=loop=-1:size=1:start=0,setpts=N/10/TB,format=rgb24[leaf];" +
  "[still][leaf]overlay=x='60+4*sin(2*PI*t*1.3)':y='40+2*sin(2*PI*t*0.9)'";

/** The foliage patch's sway envelope (normalised), with a margin: the exclude zone a user draws. */
export const FOLIAGE_ZONE = {
  name: "tree",
  mode: "exclude" as const,
  points: [
    [0.08, 0.08],
    [0.36, 0.08],
    [0.36, 0.47],
    [0.08, 0.47],
  ] as [number, number][],
};

/** Everything the moving object of `movingObject` crosses (y 230..270 of 360), with a margin. */
export const OBJECT_PATH_ZONE = {
  name: "street",
  mode: "exclude" as const,
  points: [
    [0, 0.6],
    [1, 0.6],
    [1, 0.8],
    [0, 0.8],
  ] as [number, number][],
};

export const SCENES = {
  object: { name: "moving object", seconds: 40, graph: movingObject(STILL, APPEAR), truth: seconds(APPEAR) },
  small: {
    name: "small low-contrast object",
    seconds: 40,
    // A 24x24 object 20 levels brighter than a plain gray wall (0.25 % of the frame).
    graph:
      `color=c=0x606060:s=640x360:r=10[bg];color=c=0x747474:s=24x24:r=10[obj];` +
      `[bg][obj]overlay=x='40+mod(t*70\\,560)':y='150+60*sin(t/2)':enable='${during(APPEAR_SMALL)}',${SENSOR}`,
    truth: seconds(APPEAR_SMALL),
  },
  light: {
    name: "light change",
    seconds: 40,
    // Step +0.15 (about +37 levels) at 8 s and back at 16 s; ramp 20-30 s then a drop; contrast x1.4
    // from 34 s (not a uniform shift).
    graph:
      `${STILL},eq=eval=frame:brightness='if(between(t,8,16),0.15,0)+if(between(t,20,30),(t-20)*0.015,0)'` +
      `:contrast='if(gte(t,34),1.4,1)',${SENSOR}`,
    truth: [],
  },
  noise: {
    name: "heavy sensor noise",
    seconds: 30,
    graph: `${STILL},noise=alls=20:allf=t:all_seed=7`,
    truth: [],
  },
  foliage: { name: "swaying foliage", seconds: 30, graph: `${FOLIAGE},${SENSOR}`, truth: [] },
  foliageObject: {
    name: "swaying foliage + object",
    seconds: 40,
    graph: movingObject(FOLIAGE, APPEAR),
    truth: seconds(APPEAR),
  },
} satisfies Record<string, SceneSpec>;

export function hasFfmpeg(): boolean {
  return spawnSync("ffmpeg", ["-hide_banner", "-version"], { stdio: "ignore" }).status === 0;
}

/**
 * Renders a scene and returns its gray frames (views into one buffer). `-t` goes before `-i`: it
 * limits the (infinite) lavfi input; no `-re`, so it decodes as fast as the CPU allows.
 */
export function renderScene(scene: SceneSpec): Promise<Uint8Array[]> {
  const frameBytes = WIDTH * HEIGHT;
  const args = [
    ...["-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1"],
    ...["-t", String(scene.seconds), "-f", "lavfi", "-i", scene.graph],
    ...["-vf", `scale=${WIDTH}:${HEIGHT}:flags=area,format=gray`, "-r", String(FPS)],
    ...["-f", "rawvideo", "pipe:1"],
  ];
  return new Promise((resolve, reject) => {
    const ff = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
    const buf = new Uint8Array(frameBytes * (scene.seconds * FPS + FPS));
    let filled = 0;
    let stderr = "";
    ff.stdout.on("data", (chunk: Buffer) => {
      if (filled + chunk.length > buf.length) return; // more than expected: ignore the excess
      buf.set(chunk, filled);
      filled += chunk.length;
    });
    ff.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    ff.on("error", reject);
    ff.on("close", (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited ${code} for "${scene.name}": ${stderr}`));
      const frames: Uint8Array[] = [];
      for (let off = 0; off + frameBytes <= filled; off += frameBytes) {
        frames.push(buf.subarray(off, off + frameBytes));
      }
      resolve(frames);
    });
  });
}
