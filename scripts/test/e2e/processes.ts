import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The repository root: the built programs are started from here, as `npm start` does. */
export const repoRoot = new URL("../../..", import.meta.url).pathname;

/**
 * A free TCP port on 127.0.0.1 (the kernel picks it, so never 1883, 5432 or 6379 while those
 * services are listening; anything else that grabbed it in between makes the program fail loudly).
 */
export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * The environment the programs run with: this one minus `HOMECAM_*`, whose overrides would change
 * the configuration files the test writes.
 */
export function programEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HOMECAM_")));
}

/** One spawned program, leader of its own process group (its ffmpeg children are in the group). */
export class Program {
  readonly child: ChildProcess;
  /** Settles when the program exits: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #running = true;

  /** Start `node <args…>` in the repository, output appended to `logFile`. */
  constructor(
    readonly name: string,
    args: string[],
    readonly logFile: string,
  ) {
    const fd = openSync(logFile, "a");
    try {
      // detached: a new process group, so one kill(-pid) reaches the program and its ffmpeg children.
      this.child = spawn(process.execPath, args, {
        cwd: repoRoot,
        env: programEnv(),
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.#running = false;
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error(`${this.name} did not start`);
    return pid;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Signal the whole process group. A group already gone is not an error. */
  killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }

  /** The last `lines` lines of the program's output, for failure reports. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

/** Processes whose command line mentions `dir` (the programs and their ffmpeg children). */
export function processesMentioning(dir: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(dir) && !l.includes("ps -eo"));
}

/**
 * Poll `probe` until it returns something other than undefined/false, or fail after `timeoutMs`
 * naming `what` (and the last error the probe threw, if any).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
