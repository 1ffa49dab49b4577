import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";

// The `homecam` commands run as a user runs them: a child process from TypeScript sources.

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
export const NODE_ARGS = ["--conditions=source", "--import", "tsx", "agent/src/cli.ts"];
/** A logger that discards everything, for in-process servers. */
export const silent = { info: () => {}, warn: () => {}, debug: () => {} };

export interface CliResult {
  code: number | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/** Run `homecam <args>` with a clean HOMECAM_* environment, in UTC. */
export async function runCli(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC" };
  for (const key of Object.keys(env))
    if (key.startsWith("HOMECAM_") || key === "CREDENTIALS_DIRECTORY") delete env[key];
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString(), stdoutBytes, stderr };
}
