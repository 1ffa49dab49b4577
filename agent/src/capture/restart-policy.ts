/**
 * When to restart a failed ffmpeg, and when to call a camera broken. Pure: the supervisor feeds it
 * times; tests feed it numbers.
 *
 * Stepped back-off as in go2rtc (1, 2, 5, 10, 30 s), back to the first step once a run has been
 * online for a stable minute. A restart window as in frigate's watchdog: more than `maxRestarts`
 * within `windowMs` means the problem is not transient; the status becomes `error`, and the policy
 * keeps retrying at the slowest step (a camera that comes back on its own recovers by itself).
 */
export interface RestartPolicyOptions {
  stepsMs?: readonly number[];
  /** Online this long → the next failure starts again at the first step. */
  stableMs?: number;
  maxRestarts?: number;
  windowMs?: number;
}

export interface RestartDecision {
  delayMs: number;
  /** Too many restarts in the window: report `error`, not `reconnecting`. */
  tooMany: boolean;
  /** Failures within the window, this one included. */
  recent: number;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000];

export class RestartPolicy {
  readonly stepsMs: readonly number[];
  readonly stableMs: number;
  readonly maxRestarts: number;
  readonly windowMs: number;
  #step = 0;
  #failures: number[] = [];
  #onlineSince: number | undefined;

  constructor(opts: RestartPolicyOptions = {}) {
    this.stepsMs = opts.stepsMs ?? DEFAULT_BACKOFF_MS;
    this.stableMs = opts.stableMs ?? 60_000;
    this.maxRestarts = opts.maxRestarts ?? 6;
    this.windowMs = opts.windowMs ?? 5 * 60_000;
  }

  /** The run became online (first frame) at `nowMs`. */
  online(nowMs: number): void {
    this.#onlineSince ??= nowMs;
  }

  /** The run failed at `nowMs`: how long to wait before the next start. */
  failed(nowMs: number): RestartDecision {
    if (this.#onlineSince !== undefined && nowMs - this.#onlineSince >= this.stableMs) this.#step = 0;
    this.#onlineSince = undefined;
    this.#failures = this.#failures.filter((t) => nowMs - t < this.windowMs);
    this.#failures.push(nowMs);
    const recent = this.#failures.length;
    const tooMany = recent > this.maxRestarts;
    const last = this.stepsMs.length - 1;
    const delayMs = (tooMany ? this.stepsMs[last] : this.stepsMs[Math.min(this.#step, last)]) ?? 0;
    this.#step = Math.min(this.#step + 1, last);
    return { delayMs, tooMany, recent };
  }
}
