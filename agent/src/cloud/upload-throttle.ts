/** Clock and sleep of a {@link TokenBucket}; injected by tests. */
export interface BucketTiming {
  now(): number;
  /** Resolve after `ms`, or reject when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: `Date.now` and a timer that an AbortSignal cancels. */
export const realTiming: BucketTiming = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/**
 * A token bucket of `bytesPerSecond`, holding at most one second of tokens: the upload may burst
 * one second's worth after an idle spell, and otherwise never exceeds the cap on average.
 */
export class TokenBucket {
  readonly capacity: number;
  #tokens: number;
  #last: number;

  constructor(
    readonly bytesPerSecond: number,
    private readonly timing: BucketTiming = realTiming,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError("bytesPerSecond must be positive");
    this.capacity = Math.max(1, Math.floor(bytesPerSecond));
    this.#tokens = this.capacity;
    this.#last = timing.now();
  }

  /** Wait until `n` bytes (at most {@link capacity}) may be sent, then spend them. */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    this.#refill();
    if (this.#tokens < n) {
      await this.timing.sleep(Math.ceil(((n - this.#tokens) / this.bytesPerSecond) * 1000), signal);
      this.#refill();
    }
    // After the sleep the deficit is refilled (or more); rounding never leaves it owed twice.
    this.#tokens = Math.max(0, this.#tokens - n);
  }

  #refill(): void {
    const now = this.timing.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.bytesPerSecond) / 1000);
  }
}

/**
 * Pass `source`'s chunks through `bucket`, cut to the bucket's capacity so one large chunk cannot
 * overdraw it.
 */
export async function* throttled(
  source: AsyncIterable<Uint8Array>,
  bucket: TokenBucket,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let off = 0; off < chunk.length; off += bucket.capacity) {
      const piece = chunk.subarray(off, off + bucket.capacity);
      await bucket.take(piece.length, signal);
      yield piece;
    }
  }
}
