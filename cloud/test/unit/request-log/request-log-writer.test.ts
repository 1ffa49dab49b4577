import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestLogTable } from "../../../src/db/schema.js";
import type { PruneResult, RequestLogSink } from "../../../src/request-log/request-log-store.js";
import { type RequestLogRecord, RequestLogWriter } from "../../../src/request-log/request-log-writer.js";
import { captureLogger } from "../../helpers/logs.js";

function record(i: number): RequestLogRecord {
  return {
    createdAt: 1000 + i,
    method: "GET",
    route: "/api/tickets/:id",
    status: 200,
    durationMs: 3,
    userId: null,
    apiKeyId: null,
    ip: "127.0.0.1",
    userAgent: null,
    requestId: `r${i}`,
  };
}

/** A sink whose inserts wait until released, recording every batch. */
class FakeSink implements RequestLogSink {
  batches: RequestLogTable[][] = [];
  prunes: { olderThan: number; keepRows: number }[] = [];
  fail = false;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise((r) => {
      this.open = r;
    });
  }
  release(): void {
    this.open?.();
    this.gate = null;
  }
  async insertBatch(rows: readonly RequestLogTable[]): Promise<void> {
    this.batches.push([...rows]);
    if (this.gate) await this.gate;
    if (this.fail) throw new Error("database down");
  }
  async prune(opts: { olderThan: number; keepRows: number }): Promise<PruneResult> {
    this.prunes.push(opts);
    return { byAge: 0, byCount: 0 };
  }
}

describe("RequestLogWriter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("queues without waiting and writes in batches of batchSize", async () => {
    const sink = new FakeSink();
    const w = new RequestLogWriter({ sink, log: captureLogger().log, batchSize: 3 });
    for (let i = 0; i < 7; i++) w.record(record(i));
    await w.flush();
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(sink.batches.flat().map((r) => r.request_id)).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(sink.batches[0]![0]).toMatchObject({ route: "/api/tickets/:id", status: 200, created_at: 1000 });
  });

  it("never blocks record() while the database is stuck, and caps the queue", async () => {
    const sink = new FakeSink();
    const { log, lines } = captureLogger();
    const w = new RequestLogWriter({ sink, log, batchSize: 2, maxQueue: 5 });
    sink.hold();
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) w.record(record(i));
    expect(performance.now() - t0).toBeLessThan(50);
    // One batch is in flight, the queue holds at most maxQueue, the rest were dropped.
    expect(w.pending).toBeLessThanOrEqual(5);
    sink.release();
    await w.flush();
    expect(lines.some((l) => l.msg?.toString().includes("dropped"))).toBe(true);
  });

  it("drops a failed batch with a warning and keeps going", async () => {
    const sink = new FakeSink();
    const { log, lines } = captureLogger();
    const w = new RequestLogWriter({ sink, log, batchSize: 10 });
    sink.fail = true;
    w.record(record(1));
    await w.flush();
    expect(lines.some((l) => l.msg === "request log batch could not be written")).toBe(true);
    sink.fail = false;
    w.record(record(2));
    await w.flush();
    expect(sink.batches.at(-1)!.map((r) => r.request_id)).toEqual(["r2"]);
  });

  it("flushes and prunes on its timers with the injected clock, and flushes on stop", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const sink = new FakeSink();
    let now = 10_000_000;
    const w = new RequestLogWriter({
      sink,
      log: captureLogger().log,
      now: () => now,
      flushIntervalMs: 1000,
      pruneIntervalMs: 60_000,
      maxAgeMs: 5000,
      maxRows: 42,
    });
    w.start();
    expect(sink.prunes).toEqual([{ olderThan: 10_000_000 - 5000, keepRows: 42 }]);
    w.record(record(1));
    expect(sink.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.batches).toHaveLength(1);
    now += 60_000;
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sink.prunes.at(-1)).toEqual({ olderThan: now - 5000, keepRows: 42 });
    w.record(record(2));
    await w.stop();
    expect(sink.batches.flat().map((r) => r.request_id)).toEqual(["r1", "r2"]);
    w.record(record(3));
    expect(w.pending).toBe(0);
  });
});
