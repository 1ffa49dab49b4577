import { randomBytes } from "node:crypto";
import type { Logger } from "@homecam/shared/node";
import type { RequestLogTable } from "../db/schema.js";
import type { RequestLogSink } from "./request-log-store.js";

/** One request as the middleware saw it. */
export interface RequestLogRecord {
  createdAt: number;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  userId: string | null;
  apiKeyId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface RequestLogWriterOptions {
  sink: RequestLogSink;
  log: Logger;
  now?: () => number;
  /** Rows per INSERT; a full batch is written at once instead of waiting for the timer (200). */
  batchSize?: number;
  /** Queued rows are written at least this often (1 s). */
  flushIntervalMs?: number;
  /** Rows held in memory while the database is slow or down; beyond, new rows are dropped (10 000). */
  maxQueue?: number;
  /** Retention: rows kept at most (100 000)… */
  maxRows?: number;
  /** …and for at most this long (30 days). */
  maxAgeMs?: number;
  /** How often retention runs (10 min; also once at start). */
  pruneIntervalMs?: number;
}

/**
 * The request log's writer. `record()` only appends to an in-memory queue — requests never wait for
 * the database; rows are inserted in batches by one flush at a time, and a failed batch is dropped
 * with a warning (the log is best effort: retrying forever would let an outage grow the queue
 * without bound). Retention prunes by age and row count on its own timer.
 */
export class RequestLogWriter {
  private queue: RequestLogTable[] = [];
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private seq = 0;
  private readonly o: Required<Omit<RequestLogWriterOptions, "sink" | "log">>;

  constructor(private readonly opts: RequestLogWriterOptions) {
    this.o = {
      now: opts.now ?? Date.now,
      batchSize: opts.batchSize ?? 200,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      maxQueue: opts.maxQueue ?? 10_000,
      maxRows: opts.maxRows ?? 100_000,
      maxAgeMs: opts.maxAgeMs ?? 30 * 24 * 3600_000,
      pruneIntervalMs: opts.pruneIntervalMs ?? 10 * 60_000,
    };
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queue one request; never blocks and never throws. */
  record(r: RequestLogRecord): void {
    if (this.stopped) return;
    if (this.queue.length >= this.o.maxQueue) {
      this.dropped++;
      return;
    }
    this.queue.push({
      // Sequence first: rows of the same millisecond keep their order in the keyset (created_at, id).
      id: (this.seq++).toString(36).padStart(10, "0") + randomBytes(9).toString("base64url"),
      created_at: r.createdAt,
      method: r.method,
      route: r.route,
      status: r.status,
      duration_ms: r.durationMs,
      user_id: r.userId,
      api_key_id: r.apiKeyId,
      ip: r.ip,
      user_agent: r.userAgent,
      request_id: r.requestId,
    });
    if (this.queue.length >= this.o.batchSize) void this.flush();
  }

  /** Write everything queued so far (joins a flush already running). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Apply retention now. Errors are logged, not thrown (the next run retries). */
  async prune(): Promise<void> {
    const now = this.o.now();
    try {
      const r = await this.opts.sink.prune({ olderThan: now - this.o.maxAgeMs, keepRows: this.o.maxRows });
      if (r.byAge + r.byCount > 0) this.opts.log.debug(r, "request log pruned");
    } catch (err) {
      this.opts.log.warn({ err }, "request log pruning failed");
    }
  }

  /** Start the flush and retention timers (prunes once right away). */
  start(): void {
    this.stopped = false;
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.flushIntervalMs, () => this.flush());
    every(this.o.pruneIntervalMs, () => this.prune());
    void this.prune();
  }

  /** Stop the timers and write what is queued. Later records are ignored. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.stopped = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.batchSize);
      try {
        await this.opts.sink.insertBatch(batch);
      } catch (err) {
        this.dropped += batch.length;
        this.opts.log.warn({ err, rows: batch.length }, "request log batch could not be written");
      }
    }
    if (this.dropped > 0) {
      this.opts.log.warn({ dropped: this.dropped }, "request log rows dropped (database slow or down)");
      this.dropped = 0;
    }
  }
}
