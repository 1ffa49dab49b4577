// Processes the bench starts: a Node child run from TypeScript sources (under tsx, with the "source"
// export condition) that says `{type: "ready", …}` over its IPC channel once it serves, and the
// helpers to stop any child and keep the tail of its stderr for error messages.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Cold start of a child compiles the cloud's sources through tsx: give a slow CI machine time. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/** A started Node child and the `ready` message it sent. */
export interface TsChild<R> {
  child: ChildProcess;
  ready: R;
  pid: number;
  /** The last 2 KB of its stderr. */
  stderr(): string;
}

/**
 * Spawn `script` (a .ts file) in its own Node process with an IPC channel and wait for its first
 * message of type "ready". `what` names it in errors; `nodeArgs` go before the script.
 */
export async function startTsChild<R extends { type: "ready" }>(
  script: string,
  what: string,
  nodeArgs: string[] = [],
): Promise<TsChild<R>> {
  const args = ["--conditions=source", "--import", "tsx", ...nodeArgs, script];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "inherit", "pipe", "ipc"] });
  const stderr = tail(child);
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in time`)), START_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready: ${stderr()}`));
    });
    child.on("message", (msg: { type?: unknown }) => {
      if (msg.type !== "ready") return;
      clearTimeout(timer);
      resolve(msg as R);
    });
  }).catch(async (err: unknown) => {
    await stopProcess(child);
    throw err;
  });
  return { child, ready, pid: requirePid(child), stderr };
}

/** Keep the last 2 KB of the process's stderr for error messages, and pass it through. */
export function tail(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    text = (text + chunk.toString()).slice(-2048);
  });
  return () => text.trim() || "(no output)";
}

export function requirePid(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error("child process has no pid");
  return child.pid;
}

/** SIGTERM unless already asked to stop over IPC, then SIGKILL after a grace period. */
export async function stopProcess(child: ChildProcess, asked = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (!asked) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
