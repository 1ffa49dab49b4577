/**
 * Frames per second over a sliding window of recent frame times, in constant memory and without
 * allocating per frame (a ring of timestamps). Pure: time comes in as arguments.
 */
export class FpsWindow {
  readonly windowMs: number;
  readonly #times: Float64Array;
  #next = 0;
  #count = 0;

  /** `capacity` bounds the frames kept: at least the highest rate × the window (default 256). */
  constructor(windowMs = 5_000, capacity = 256) {
    if (!(windowMs > 0) || !(capacity >= 2)) throw new RangeError("windowMs must be > 0 and capacity >= 2");
    this.windowMs = windowMs;
    this.#times = new Float64Array(capacity);
  }

  push(tMs: number): void {
    this.#times[this.#next] = tMs;
    this.#next = (this.#next + 1) % this.#times.length;
    if (this.#count < this.#times.length) this.#count++;
  }

  /** Forget every frame (the camera restarted). */
  reset(): void {
    this.#count = 0;
    this.#next = 0;
  }

  /**
   * Frames per second at `nowMs`: the frames of the last `windowMs`, minus one, over the time since
   * the oldest of them. It falls towards 0 when frames stop arriving, and needs no warm-up.
   */
  rate(nowMs: number): number {
    const from = nowMs - this.windowMs;
    const cap = this.#times.length;
    let n = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 1; i <= this.#count; i++) {
      const t = this.#times[(this.#next - i + cap) % cap]!;
      if (t < from || t > nowMs) break;
      n++;
      oldest = t;
    }
    if (n < 2 || nowMs <= oldest) return 0;
    return (n - 1) / ((nowMs - oldest) / 1000);
  }
}
