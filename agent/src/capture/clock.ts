/**
 * Time and timers as a dependency, so watchdogs, back-off and ring expiry can be driven by a fake
 * clock in tests instead of sleeping (CONVENTIONS: inject the clock where loops and expiries live).
 */
export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle; only ever passed back to the clock that made it. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The real clock: `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
