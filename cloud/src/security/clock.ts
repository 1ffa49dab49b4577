/**
 * The time source of everything that expires (tokens, codes, rate-limit windows). Injected so tests
 * move time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
