// Generated camera-like H.264 files with exact ground truth, cached under .bench-out/ (git-ignored).
//
// The scene: a static, textured "yard" (gradient sky, a lit wall, fine grain on the ground) with
// temporal sensor noise on every frame, so the encoder spends its bitrate on noise like a cheap
// camera does; a person-sized dark box walks across the frame during known intervals. Encoded like
// an IP camera: x264 without B-frames, a fixed GOP, a capped bitrate.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Interval } from "../../agent/test/integration/motion/score.js";

/** Bump when the generated content changes, so cached files are regenerated. */
const GENERATOR_VERSION = 1;

export type SceneKey = "360p" | "1080p";

export interface SceneSpec {
  key: SceneKey;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gopSeconds: number;
  seconds: number;
}

export interface Scene extends SceneSpec {
  file: string;
  frames: number;
  /** Byte offset of every video packet in the file, in order (to turn a read offset into frames). */
  positions: number[];
  /** When the object is in view, file time. */
  truth: Interval[];
}

export const SCENE_SPECS: Record<SceneKey, Omit<SceneSpec, "seconds">> = {
  "360p": { key: "360p", width: 640, height: 360, fps: 10, bitrateKbps: 800, gopSeconds: 2 },
  "1080p": { key: "1080p", width: 1920, height: 1080, fps: 15, bitrateKbps: 4000, gopSeconds: 2 },
};

/** First appearance (after both detectors' warm-up), its length, and the start-to-start period. */
const FIRST_S = 8;
const APPEAR_S = 7;
const PERIOD_S = 18;
/** Quiet time needed after the last appearance so both trackers can close the event. */
const TAIL_S = 4;

/** Appearances that fit in `seconds`: 60 s gives [8,15] [26,33] [44,51]. */
export function appearances(seconds: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = FIRST_S; s + APPEAR_S + TAIL_S <= seconds; s += PERIOD_S) out.push([s, s + APPEAR_S]);
  return out;
}

const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);

/** The lavfi graph of one scene (a single video output). Pure. */
export function sceneGraph(spec: SceneSpec): string {
  const { width: W, height: H, fps } = spec;
  const pairs = appearances(spec.seconds);
  // Texture in 640-wide units so both sizes show the same picture; the grain stays per pixel.
  const u = `(X*640/W)`;
  const v = `(Y*360/H)`;
  const lum =
    `clip(60+80*Y/H+14*sin(${u}/11+${v}/23)*cos(${v}/9)+8*sin(${u}/3.1)*sin(${v}/2.7)` +
    `+36*(random(1)-0.5)*gt(Y\\,H*0.55)+45*between(X\\,W*0.55\\,W*0.85)*between(Y\\,H*0.2\\,H*0.55)` +
    `-30*between(X\\,W*0.62\\,W*0.68)*between(Y\\,H*0.3\\,H*0.42)\\,0\\,255)`;
  const still =
    `color=c=black:s=${W}x${H}:r=${fps},format=yuv420p,` +
    `geq=lum='${lum}':cb='128+10*sin(X*640/W/40)':cr='128-8*gt(Y\\,H*0.55)',gblur=sigma=0.7,` +
    `trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/${fps}/TB`;
  const ow = even(W * 0.056);
  const oh = even(H * 0.25);
  // Each appearance crosses the frame at walking pace, alternating direction.
  const xExpr = pairs.reduceRight((rest, [a, b], i) => {
    const f = `(t-${a})/${b - a}`;
    const x = i % 2 === 0 ? `${f}*(W-w)` : `(1-${f})*(W-w)`;
    return `if(between(t\\,${a}\\,${b})\\,${x}\\,${rest})`;
  }, "0");
  const enable = pairs.length ? pairs.map(([a, b]) => `between(t\\,${a}\\,${b})`).join("+") : "0";
  return (
    `${still}[bg];color=c=0x283040:s=${ow}x${oh}:r=${fps}[obj];` +
    `[bg][obj]overlay=x='${xExpr}':y=${even(H * 0.55)}:enable='${enable}',` +
    `noise=alls=6:allf=t:all_seed=4242,format=yuv420p`
  );
}

function encodeArgs(spec: SceneSpec, out: string): string[] {
  const gop = String(spec.fps * spec.gopSeconds);
  const rate = `${spec.bitrateKbps}k`;
  return [
    ...["-hide_banner", "-loglevel", "error", "-nostdin", "-y"],
    ...["-f", "lavfi", "-i", sceneGraph(spec), "-t", String(spec.seconds), "-r", String(spec.fps)],
    ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0"],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"],
    ...["-b:v", rate, "-maxrate", rate, "-bufsize", `${spec.bitrateKbps * 2}k`],
    ...["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", out],
  ];
}

/** The scene file for `spec`, generated on first use and cached in `dir`. */
export async function ensureScene(spec: SceneSpec, dir: string): Promise<Scene & { cached: boolean }> {
  mkdirSync(dir, { recursive: true });
  const base = `scene-${spec.width}x${spec.height}-${spec.fps}fps-${spec.seconds}s-v${GENERATOR_VERSION}`;
  const file = join(dir, `${base}.mp4`);
  const meta = join(dir, `${base}.json`);
  const truth = appearances(spec.seconds).map(([a, b]) => ({ startMs: a * 1000, endMs: b * 1000 }));
  if (existsSync(file) && existsSync(meta)) {
    const positions = packetPositions(file);
    return { ...spec, file, frames: positions.length, positions, truth, cached: true };
  }
  const tmp = `${file}.part.mp4`;
  await run("ffmpeg", encodeArgs(spec, tmp));
  renameSync(tmp, file);
  const positions = packetPositions(file);
  const frames = positions.length;
  writeFileSync(meta, `${JSON.stringify({ ...spec, frames, truth, graph: sceneGraph(spec) }, null, 2)}\n`);
  return { ...spec, file, frames, positions, truth, cached: false };
}

/** Frames whose packet starts before byte `pos`: how far a sequential reader at `pos` has got. */
export function framesBefore(scene: Pick<Scene, "positions">, pos: number): number {
  const p = scene.positions;
  let lo = 0;
  let hi = p.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function packetPositions(file: string): number[] {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos", "-of", "csv=p=0", file],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const positions = r.stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => Number.parseInt(l, 10));
  if (positions.length === 0 || positions.some((n) => !Number.isFinite(n))) {
    throw new Error(`ffprobe could not list the packets of ${file}: ${r.stderr}`);
  }
  return positions;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}
