// bench/motion: Debian's `motion` against our pipeline on the same generated H.264 files, both paced
// at real time, one after the other (never concurrently) in one invocation, so ratios compare.
//
//   npx tsx bench/motion/run.ts [--seconds 60] [--only 360p|1080p] [--feed file|rtsp]
//                               [--repeat 1] [--variants all|a,b] [--jit-warmup 1000] [--no-kernel] [--out dir]
//
// For each scene: CPU seconds per 1000 source frames (steady-state window), peak RSS (VmHWM; ours
// is node + ffmpeg), events against ground truth (event-level precision/recall/F1), our/Motion
// ratios; then the detector kernel's ns/pixel (kernel.ts). Files are cached in bench/motion/.bench-out/.

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runKernel } from "./kernel-side.js";
import { runMotionSide } from "./motion-side.js";
import { PRODUCT, VARIANTS, type Variant } from "./ours-plan.js";
import { prepareWorker, runOursSide, type WorkerCommand } from "./ours-side.js";
import { formatKernel, formatScene, type SceneResults } from "./report.js";
import { startRtspServer } from "./rtsp-server.js";
import { ensureScene, SCENE_SPECS, type Scene, type SceneKey } from "./scene.js";
import { cpuPer1000, type Feed, type SideResult } from "./types.js";

const OUT_DIR = fileURLToPath(new URL("./.bench-out/", import.meta.url));

export interface BenchOptions {
  seconds: number;
  scenes: SceneKey[];
  variants: Variant[];
  kernel: boolean;
  /** Runs per side; the median (by CPU per frame) is reported. */
  repeat: number;
  /** How both sides get the scene (see Feed). */
  feed: Feed["kind"];
  /** Frames through a throwaway detector before our side starts (0: the detector starts cold). */
  jitWarmupFrames: number;
  outDir: string;
  /** Motion's event gap, seconds: the product's default eventGapSeconds. */
  eventGapS: number;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: "string", default: "60" },
      only: { type: "string" },
      variants: { type: "string", default: "" },
      "no-kernel": { type: "boolean", default: false },
      "jit-warmup": { type: "string", default: "1000" },
      feed: { type: "string", default: "file" },
      repeat: { type: "string", default: "1" },
      out: { type: "string", default: OUT_DIR },
    },
  });
  const seconds = Number(values.seconds);
  if (!(Number.isInteger(seconds) && seconds >= 12)) throw new Error("--seconds must be an integer >= 12");
  const only = values.only;
  if (only !== undefined && !(only in SCENE_SPECS)) throw new Error("--only must be 360p or 1080p");
  const names =
    values.variants === "all" ? VARIANTS.map((v) => v.name) : values.variants.split(",").filter(Boolean);
  const variants = names.map((n) => {
    const v = VARIANTS.find((x) => x.name === n);
    if (!v) throw new Error(`unknown variant ${n}; known: ${VARIANTS.map((x) => x.name).join(", ")}`);
    return v;
  });
  return {
    seconds,
    scenes: only ? [only as SceneKey] : ["360p", "1080p"],
    variants,
    kernel: !values["no-kernel"],
    jitWarmupFrames: Number(values["jit-warmup"]),
    feed: parseFeed(values.feed),
    repeat: Math.max(1, Math.round(Number(values.repeat)) || 1),
    outDir: resolve(values.out),
    eventGapS: 5,
  };
}

function parseFeed(v: string): Feed["kind"] {
  if (v !== "file" && v !== "rtsp") throw new Error("--feed must be file or rtsp");
  return v;
}

const progress = (msg: string) => process.stderr.write(`[bench/motion] ${msg}\n`);

export async function runBench(o: BenchOptions): Promise<{ scenes: SceneResults[]; text: string }> {
  for (const tool of ["ffmpeg", "ffprobe", "motion"]) {
    if (spawnSync(tool, ["-h"], { stdio: "ignore" }).error) throw new Error(`${tool} is not installed`);
  }
  mkdirSync(o.outDir, { recursive: true });
  // Generate every file first, so encoding never overlaps a measurement.
  const scenes = [];
  for (const key of o.scenes) {
    const t = Date.now();
    const scene = await ensureScene({ ...SCENE_SPECS[key], seconds: o.seconds }, o.outDir);
    progress(
      `${key}: ${scene.cached ? "cached" : `generated in ${((Date.now() - t) / 1000).toFixed(1)} s`}: ${scene.file}`,
    );
    scenes.push(scene);
  }
  const worker = await prepareWorker(o.outDir);
  const server = o.feed === "rtsp" ? await startRtspServer(scenes) : undefined;
  const feed: Feed = server?.feed ?? { kind: "file" };
  const results: SceneResults[] = [];
  let commandLine = "";
  try {
    for (const scene of scenes) {
      const onCommand = (cmd: string) => {
        commandLine ||= `our ffmpeg (${scene.key}): ${cmd}`;
      };
      results.push(await benchScene(o, scene, feed, worker, onCommand));
    }
  } finally {
    await server?.stop();
  }
  const parts = results.map(formatScene);
  if (o.kernel) {
    progress("detector kernel (kernel.ts)");
    parts.push(formatKernel(await runKernel()));
  }
  parts.push(commandLine);
  return { scenes: results, text: parts.join("\n\n") };
}

async function benchScene(
  o: BenchOptions,
  scene: Scene,
  feed: Feed,
  worker: WorkerCommand,
  onCommand: (cmd: string) => void,
): Promise<SceneResults> {
  const variants = [PRODUCT, ...o.variants];
  const motionRuns: SideResult[] = [];
  const oursRuns: SideResult[][] = variants.map(() => []);
  // Repeats alternate the sides, so a slow spell of the (shared) machine hits both.
  for (let r = 1; r <= o.repeat; r++) {
    const round = o.repeat > 1 ? ` [round ${r}/${o.repeat}]` : "";
    progress(`${scene.key}: Motion, ${feed.kind} feed (${scene.seconds} s + ${o.eventGapS + 2} s)${round}`);
    const dir = join(o.outDir, `motion-${scene.key}`);
    motionRuns.push(await runMotionSide({ scene, dir, eventGapS: o.eventGapS, feed }));
    for (const [i, variant] of variants.entries()) {
      progress(`${scene.key}: our pipeline, ${variant.name} (${scene.seconds} s)${round}`);
      const jitWarmupFrames = o.jitWarmupFrames;
      const side = await runOursSide({ scene, variant, worker, feed, outDir: o.outDir, jitWarmupFrames });
      onCommand(side.report.commandLine);
      oursRuns[i]!.push(side);
    }
  }
  const motion = median(motionRuns);
  const ours = oursRuns.map(median);
  progress(
    `${scene.key}: CPU-s/1000 frames Motion ${cpuPer1000(motion).toFixed(2)}, ours ${cpuPer1000(ours[0]!).toFixed(2)}`,
  );
  return { scene, motion, ours };
}

/** The run with the median CPU per frame, noting the spread when there were several. */
function median(runs: SideResult[]): SideResult {
  const sorted = [...runs].sort((a, b) => cpuPer1000(a) - cpuPer1000(b));
  const mid = sorted[(sorted.length - 1) >> 1]!;
  if (runs.length === 1) return mid;
  const spread = runs.map((r) => cpuPer1000(r).toFixed(2)).join(", ");
  return { ...mid, notes: [...mid.notes, `median of ${runs.length} runs (CPU-s/1000 frames: ${spread})`] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.resolve()
    .then(() => runBench(parseOptions(process.argv.slice(2))))
    .then(
      ({ text }) => console.log(text),
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exitCode = 1;
      },
    );
}
