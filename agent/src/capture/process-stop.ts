import type { ChildProcess } from "node:child_process";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";

export interface StopOptions {
  /**
   * Write `q` to stdin first: ffmpeg then closes the current segment and its list line cleanly. When
   * stdin is fed by a producer instead, stop the producer first: ffmpeg ends at end of input.
   */
  quit: boolean;
  /** SIGTERM this long after the start of the stop (default 2 s; 0 for a producer). */
  termAfterMs?: number;
  /** SIGKILL this long after the start of the stop (default 5 s). */
  killAfterMs?: number;
  clock?: Clock;
}

/** How the process ended: by itself/`q`, after SIGTERM, or after SIGKILL. */
export type StopOutcome = "exited" | "terminated" | "killed";

/**
 * Stop a child gently, then firmly: `q`, SIGTERM after 2 s, SIGKILL after 5 s (as scrypted does for
 * ffmpeg). `exited` must resolve when the child has exited. A process stopped by SIGSTOP cannot read
 * `q` or act on SIGTERM, so SIGCONT follows SIGTERM; SIGKILL needs nothing.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  opts: StopOptions,
): Promise<StopOutcome> {
  if (child.exitCode !== null || child.signalCode !== null) return "exited";
  const clock = opts.clock ?? systemClock;
  let outcome: StopOutcome = "exited";
  const timers: TimerHandle[] = [];
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  if (opts.quit && child.stdin?.writable) {
    // EPIPE when ffmpeg is already going away: the timers below still apply.
    child.stdin.once("error", () => {});
    child.stdin.write("q");
  }
  timers.push(
    clock.setTimeout(() => {
      outcome = "terminated";
      signal("SIGTERM");
      signal("SIGCONT");
    }, opts.termAfterMs ?? 2_000),
    clock.setTimeout(() => {
      outcome = "killed";
      signal("SIGKILL");
    }, opts.killAfterMs ?? 5_000),
  );
  try {
    await exited;
  } finally {
    for (const t of timers) clock.clearTimeout(t);
  }
  return outcome;
}
