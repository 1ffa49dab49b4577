import { spawn } from "node:child_process";
import { RecordingError } from "./recording-error.js";

export interface RunOptions {
  /** Abort kills the process (SIGKILL: these are short, file-to-file jobs with nothing to flush). */
  signal?: AbortSignal;
  /** Kill after this long; a stuck read on a dying SD card must not hang the recorder (default 60 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Enough of stderr to explain a failure without keeping a chatty process's whole log in memory. */
const STDERR_TAIL_BYTES = 4096;

export interface ToolOutput {
  stdout: Buffer;
  /** The end of stderr: with `-v error`, anything here is a problem ffmpeg chose not to fail on. */
  stderr: string;
}

/**
 * Run ffmpeg/ffprobe (or any program) to completion and return its output. Rejects with
 * `HC_ERR_RECORDING_FFMPEG` carrying the end of stderr on spawn failure, non-zero exit, timeout or
 * abort. Only file paths appear in these command lines (never camera URLs), so nothing is masked.
 */
export function runTool(
  command: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<ToolOutput> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new RecordingError("HC_ERR_RECORDING_FFMPEG", `${command} not started: aborted`));
      return;
    }
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let errTail = "";
    let killedFor: string | undefined;
    const kill = (why: string) => {
      killedFor ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => kill("aborted");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      errTail = (errTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    const finish = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (err) => {
      finish();
      reject(
        new RecordingError("HC_ERR_RECORDING_FFMPEG", `${command} could not be run: ${err.message}`, {
          cause: err,
        }),
      );
    });
    child.on("close", (code, signal) => {
      finish();
      if (code === 0 && !killedFor) {
        resolve({ stdout: Buffer.concat(out), stderr: errTail });
        return;
      }
      const why = killedFor ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
      reject(new RecordingError("HC_ERR_RECORDING_FFMPEG", `${command} failed (${why}): ${errTail.trim()}`));
    });
  });
}
