// Runs ours-worker in its own Node process and turns its report into a SideResult.
//
// The worker is bundled with esbuild into plain JavaScript first, so the measured Node process is
// what the compiled agent would be: no TypeScript loader in its CPU or memory. Without esbuild it
// falls back to tsx's loader (noted in the result: its RSS then includes the loader).

import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Variant, WorkerConfig, WorkerReport } from "./ours-plan.js";
import type { Scene } from "./scene.js";
import { type Feed, rtspUrl, type SideResult } from "./types.js";
import { measureWindow } from "./window.js";

const WORKER_TS = fileURLToPath(new URL("./ours-worker.ts", import.meta.url));

export interface WorkerCommand {
  args: string[];
  bundled: boolean;
}

/** Bundles the worker into `outDir` (once per benchmark run). */
export async function prepareWorker(outDir: string): Promise<WorkerCommand> {
  const outfile = join(outDir, "ours-worker.mjs");
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: [WORKER_TS],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // Workspace packages resolve to their TypeScript sources, as in the tests.
      conditions: ["source"],
      // Bundled CommonJS dependencies may call require().
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      logLevel: "error",
    });
    return { args: [outfile], bundled: true };
  } catch (err) {
    console.error(`esbuild unavailable (${(err as Error).message}); running the worker through tsx`);
    return { args: ["--conditions=source", "--import", "tsx", WORKER_TS], bundled: false };
  }
}

export interface OursSideOptions {
  scene: Scene;
  variant: Variant;
  worker: WorkerCommand;
  feed: Feed;
  /** Ring segments go to a directory under this one (deleted afterwards). */
  outDir: string;
  /** See WorkerConfig.jitWarmup. */
  jitWarmupFrames: number;
}

export async function runOursSide(o: OursSideOptions): Promise<SideResult & { report: WorkerReport }> {
  const { scene, variant, worker, feed, outDir, jitWarmupFrames } = o;
  const config: WorkerConfig = {
    input:
      feed.kind === "file"
        ? { kind: "file", file: scene.file }
        : { kind: "rtsp", url: rtspUrl(feed, scene.key) },
    ringDir: join(outDir, `ring-${scene.key}-${variant.name}`),
    variant,
    jitWarmup: { source: { width: scene.width, height: scene.height }, frames: jitWarmupFrames },
  };
  const child = spawn(process.execPath, [...worker.args, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-8000);
  });
  const lines: string[] = [];
  let partial = "";
  let onPid: ((pid: number) => void) | undefined;
  const ffmpegPid = new Promise<number>((resolve) => {
    onPid = resolve;
  });
  child.stdout.on("data", (c: Buffer) => {
    const parts = (partial + c.toString()).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      const pid = (JSON.parse(line) as { ffmpegPid?: number }).ffmpegPid;
      if (pid !== undefined) onPid?.(pid);
    }
  });
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  const failed = closed.then((code): never => {
    throw new Error(`our worker exited ${code}: ${stderr.trim()}`);
  });
  failed.catch(() => {}); // awaited below; unobserved after a normal exit

  const ffPid = await Promise.race([ffmpegPid, failed]);
  const win = await measureWindow({
    scene,
    readerPid: feed.kind === "file" ? ffPid : feed.serverPid,
    processes: [
      { name: "node", pid: child.pid! },
      { name: "ffmpeg", pid: ffPid },
    ],
    failed,
  });
  const code = await closed;
  const last = lines.at(-1) ?? "";
  if (code !== 0 || !last.includes('"events"'))
    throw new Error(`our worker exited ${code}: ${stderr.trim()}`);
  const report = JSON.parse(last) as WorkerReport;
  const { fileTime, ...usage } = win;
  return {
    label: variant.name === "product" ? "homecam agent" : `homecam: ${variant.name}`,
    ...usage,
    events: report.events.map((e) => ({ startMs: fileTime(e.startMs), endMs: fileTime(e.endMs) })),
    notes: [
      `analysis ${report.analysisSize} (detector at ${report.detectorSize}), ${report.frames} frames, ` +
        `${report.motionFrames} with motion, ${report.rebases} re-bases, ${report.segments} ring segments; ` +
        `${feed.kind} feed: ${(win.windowFrames / win.windowSeconds).toFixed(2)} frames/s in the window` +
        (worker.bundled ? "" : "; worker under tsx"),
    ],
    report,
  };
}
