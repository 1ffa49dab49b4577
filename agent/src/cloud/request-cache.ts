export interface RequestCacheOptions {
  /** How long a finished request's answer is kept (default 10 min). */
  ttlMs?: number;
  /** Most answers kept; the least recently used finished ones go first (default 500). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry<T> {
  promise: Promise<T>;
  /** When the request finished; undefined while it runs. */
  doneAt: number | undefined;
}

/**
 * At-most-once execution per request id: the first call runs the work; a repeat while it runs
 * shares its promise; a repeat later, within `ttlMs`, gets the stored answer without running again.
 * Bounded: finished answers are dropped least recently used first, running ones never.
 */
export class RequestCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: RequestCacheOptions = {}) {
    this.#ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.#max = Math.max(1, opts.maxEntries ?? 500);
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The answer for `key`, running `work` only if no answer is running or kept. */
  run(key: string, work: () => Promise<T>): { answer: Promise<T>; repeated: boolean } {
    this.#expire();
    const hit = this.#entries.get(key);
    if (hit) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return { answer: hit.promise, repeated: true };
    }
    const entry: Entry<T> = { promise: Promise.resolve().then(work), doneAt: undefined };
    const done = () => {
      entry.doneAt = this.#now();
    };
    entry.promise.then(done, done);
    this.#entries.set(key, entry);
    this.#evict();
    return { answer: entry.promise, repeated: false };
  }

  #expire(): void {
    const now = this.#now();
    for (const [key, e] of this.#entries) {
      if (e.doneAt !== undefined && now - e.doneAt > this.#ttlMs) this.#entries.delete(key);
    }
  }

  #evict(): void {
    for (const [key, e] of this.#entries) {
      if (this.#entries.size <= this.#max) return;
      if (e.doneAt !== undefined) this.#entries.delete(key);
    }
  }
}
