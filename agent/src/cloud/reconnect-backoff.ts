/** Reconnect delays: doubling from `initialMs` up to `maxMs`. */
export interface BackoffOptions {
  /** First delay (default 1 s). */
  initialMs?: number;
  /** Longest delay (default 30 s). */
  maxMs?: number;
  /**
   * Spread, as a fraction of the delay taken off at random (default 0.2), so a fleet of agents that
   * lost the broker at the same moment does not come back in lock-step.
   */
  jitter?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 30_000, jitter: 0.2 } as const;

/**
 * The delay before reconnect attempt `attempt` (0 = the first after a loss). `random` in [0, 1)
 * picks the jitter; pass `() => 0` for the plain doubling sequence.
 */
export function reconnectDelay(attempt: number, opts: BackoffOptions = {}, random = Math.random): number {
  const initial = opts.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = Math.max(initial, opts.maxMs ?? DEFAULT_BACKOFF.maxMs);
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? DEFAULT_BACKOFF.jitter));
  // 2^attempt overflows to Infinity long before it matters; min() caps it.
  const base = Math.min(max, initial * 2 ** Math.max(0, Math.floor(attempt)));
  return Math.round(base * (1 - jitter * random()));
}
