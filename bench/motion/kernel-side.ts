// The detector kernel measurement (kernel.ts) in a child process of its own, so its frames and JIT
// state stay out of both sides' numbers. Returns kernel.ts's JSON lines.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const KERNEL_TS = fileURLToPath(new URL("./kernel.ts", import.meta.url));

export interface KernelLine {
  size: string;
  analysis: string;
  ns_per_pixel: number;
  idle_ns_per_pixel: number;
  frames_per_s: number;
  goal_ns_per_pixel: number;
  pass: boolean;
}

export function runKernel(runs = 9): Promise<KernelLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", KERNEL_TS, String(runs)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", () => {
      const lines = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as KernelLine);
      if (lines.length === 0) reject(new Error(`kernel.ts printed nothing: ${stderr.trim()}`));
      else resolve(lines);
    });
  });
}
