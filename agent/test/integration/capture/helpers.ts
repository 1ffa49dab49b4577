import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { type CameraConfig, cameraConfigSchema } from "@homecam/shared";
import { createLogger, type Logger } from "@homecam/shared/node";

const execFileP = promisify(execFile);

/** Poll `cond` until it returns a truthy value (returned), or fail after `timeoutMs` saying what was awaited. */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `homecam-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A real pino logger at debug level whose JSON lines are kept for assertions. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ name: "test", level: "debug", destination }), lines };
}

export function camera(input: Record<string, unknown>): CameraConfig {
  return cameraConfigSchema.parse({ id: "cam", name: "Cam", ...input });
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a live process has used, from /proc (clock ticks are 100 Hz on Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const { stdout } = await execFileP("cat", [`/proc/${pid}/stat`]);
  const fields = stdout.slice(stdout.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ProbeResult {
  format: string;
  codec: string;
  width: number;
  height: number;
  duration: number;
}

export async function ffprobe(path: string): Promise<ProbeResult> {
  const { stdout } = await execFileP("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-of", "json"],
    ...["-show_entries", "format=format_name,duration:stream=codec_name,width,height", path],
  ]);
  const j = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: Array<{ codec_name: string; width: number; height: number }>;
  };
  const s = j.streams[0]!;
  return {
    format: j.format.format_name,
    codec: s.codec_name,
    width: s.width,
    height: s.height,
    duration: Number(j.format.duration),
  };
}

const RTSP_SERVER = join(import.meta.dirname, "../../fixtures/capture/rtsp-server.py");

/** The GStreamer RTSP camera simulator, started with Debian's python (it has `gi`). */
export class RtspServer {
  #proc: ChildProcess | undefined;
  constructor(readonly args: string[]) {}

  async start(): Promise<void> {
    const proc = spawn("/usr/bin/python3", [RTSP_SERVER, ...this.args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#proc = proc;
    let err = "";
    proc.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on("data", (c: Buffer) => {
        if (c.toString().includes("ready")) resolve();
      });
      proc.once("exit", (code) => reject(new Error(`rtsp-server exited with ${code}: ${err}`)));
    });
  }

  /** Freeze (SIGSTOP) or thaw (SIGCONT) the server: a camera that hangs with its connections open. */
  signal(sig: "SIGSTOP" | "SIGCONT"): void {
    this.#proc?.kill(sig);
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    proc?.kill("SIGCONT");
    this.#proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const gone = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 3_000);
    await gone;
    clearTimeout(timer);
  }
}
