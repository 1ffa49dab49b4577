import type { Clock } from "./clock.js";

/** A limit: at most `limit` hits per key in any `windowMs` interval. */
export interface RateRule {
  limit: number;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts hits per key. Asynchronous so a shared store (Redis) can replace the in-memory one when
 * several cloud instances run behind a load balancer; the rules stay with the caller.
 */
export interface RateLimiter {
  /** Count one hit for `key` if the rule allows it; a refused hit is not counted. */
  take(key: string, rule: RateRule): Promise<RateDecision>;
  /** Give back the newest hit of `key` (an attempt that turned out to succeed). */
  refund(key: string, rule: RateRule): Promise<void>;
  /** Forget every hit of `key`. */
  reset(key: string): Promise<void>;
}

/**
 * Sliding-log limiter in memory: per key, the times of the last `limit` hits (never more, so memory
 * is bounded by keys × limit). A hit is allowed when fewer than `limit` hits fall inside the window;
 * otherwise the caller may retry when the oldest of them leaves it. Exact (no fixed-window burst of
 * 2×limit at a window edge). At most `maxKeys` keys are kept: beyond that the least recently
 * touched key is dropped, which can only make the limiter more lenient for that key, never lock
 * anyone out, and keeps a flood of random keys from exhausting memory.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  async take(key: string, rule: RateRule): Promise<RateDecision> {
    const now = this.clock.now();
    const times = this.live(key, rule, now);
    if (times.length >= rule.limit) {
      const oldest = times[0] ?? now;
      return { allowed: false, retryAfterMs: Math.max(1, oldest + rule.windowMs - now) };
    }
    times.push(now);
    this.touch(key, times);
    return { allowed: true };
  }

  async refund(key: string, rule: RateRule): Promise<void> {
    const times = this.live(key, rule, this.clock.now());
    times.pop();
    if (times.length === 0) this.hits.delete(key);
  }

  async reset(key: string): Promise<void> {
    this.hits.delete(key);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.hits.size;
  }

  private live(key: string, rule: RateRule, now: number): number[] {
    const times = this.hits.get(key) ?? [];
    const from = now - rule.windowMs;
    let drop = 0;
    while (drop < times.length && (times[drop] ?? 0) <= from) drop++;
    if (drop > 0) times.splice(0, drop);
    return times;
  }

  private touch(key: string, times: number[]): void {
    // Map keeps insertion order: re-inserting moves the key to the end (most recently used).
    this.hits.delete(key);
    this.hits.set(key, times);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
  }
}

/** Slots taken by {@link takeAll}; `refund()` when the attempt turned out legitimate. */
export interface TakenSlots {
  refund(): Promise<void>;
}

/**
 * Take one slot of every `[key, rule]`, or none: when one is full, the slots already taken are
 * given back and `refused(retryAfterMs)` is thrown.
 */
export async function takeAll(
  limiter: RateLimiter,
  checks: ReadonlyArray<readonly [string, RateRule]>,
  refused: (retryAfterMs: number) => Error,
): Promise<TakenSlots> {
  const taken: Array<readonly [string, RateRule]> = [];
  const refund = async () => {
    for (const [key, rule] of taken) await limiter.refund(key, rule);
  };
  for (const [key, rule] of checks) {
    const decision = await limiter.take(key, rule);
    if (!decision.allowed) {
      await refund();
      throw refused(decision.retryAfterMs);
    }
    taken.push([key, rule]);
  }
  return { refund };
}
