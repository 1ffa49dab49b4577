import { MESSAGE_BODIES, type MessageBodyInput, newMessageId } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Kysely, Transaction } from "kysely";
import type { StoredEvent } from "./events-repo.js";
import type { StoredRecording } from "./recordings-repo.js";
import type { AgentDatabase, OutboxRow } from "./schema.js";

// The agent's outbox: every fact the cloud must learn is a row written in the SAME transaction as
// the fact itself (event, clip, deletion, warning), so a crash can never keep one without the other.
// `OutboxWriter` is the write side, used by the repositories inside their transactions;
// `OutboxRepo` is the delivery side, used by the sender (`cloud/outbox-sender.ts`).

/** The message types the agent queues in its outbox (all published on `evt/{type}`). */
export type OutboxType =
  | "event.started"
  | "event.updated"
  | "event.ended"
  | "recording.ready"
  | "clip.deleted"
  | "retention.warning";

/** One fact to queue: the message type, its body, the camera whose order it keeps, its subject. */
export interface OutboxFact<T extends OutboxType = OutboxType> {
  type: T;
  /** The delivery lane: a camera's facts are delivered in the order written; null = device-wide. */
  cameraId: string | null;
  /** The event or recording the fact is about. */
  subjectId: string;
  body: MessageBodyInput<T>;
}

type Db = Kysely<AgentDatabase> | Transaction<AgentDatabase>;

const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** `event.started` / `event.updated` / `event.ended` for an event row (the agent's own ids). */
export function eventFact<T extends "event.started" | "event.updated" | "event.ended">(
  type: T,
  e: StoredEvent,
): OutboxFact<T> {
  const boxes = e.metadata.boxes?.slice(0, 64).map(([x, y, w, h]) => ({
    x: clamp01(x),
    y: clamp01(y),
    w: clamp01(w),
    h: clamp01(h),
  }));
  const body = {
    eventId: e.id,
    cameraId: e.cameraId,
    type: e.type,
    startedAt: e.startedAt,
    score: clamp01(e.score),
    ...(e.endedAt !== null && type !== "event.started" && { endedAt: e.endedAt }),
    ...(e.durationMs !== null && type !== "event.started" && { durationMs: e.durationMs }),
    ...(boxes && boxes.length > 0 && { boxes }),
  };
  return { type, cameraId: e.cameraId, subjectId: e.id, body: body as MessageBodyInput<T> };
}

/** `recording.ready` for a committed clip. */
export function recordingReadyFact(r: StoredRecording): OutboxFact<"recording.ready"> {
  return {
    type: "recording.ready",
    cameraId: r.cameraId,
    subjectId: r.id,
    body: {
      recordingId: r.id,
      eventId: r.eventId,
      cameraId: r.cameraId,
      index: r.index,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      durationMs: r.durationMs,
      sizeBytes: r.sizeBytes,
      format: r.format as "mp4",
    },
  };
}

/** `clip.deleted` for a clip whose file and row are gone. */
export function clipDeletedFact(r: StoredRecording, reason: string): OutboxFact<"clip.deleted"> {
  return {
    type: "clip.deleted",
    cameraId: r.cameraId,
    subjectId: r.id,
    body: { recordingId: r.id, reason, uploaded: r.uploadState === "uploaded" },
  };
}

export interface OutboxWriterOptions {
  now?: () => number;
  /** Message ids (the MQTT frame `id`, the cloud's idempotency key); injectable for tests. */
  newId?: () => string;
  /** Where a fact whose body fails its schema is reported (it is kept, dead, never sent). */
  log?: Pick<Logger, "warn">;
}

/**
 * Queues facts with the caller's connection, i.e. inside the transaction that writes the fact.
 * Each body is checked against the shared schema `MESSAGE_BODIES[type]` and stored as the schema's
 * output; a body that fails (a bug) is still stored, marked dead with the reason, so the fact's own
 * transaction never fails because of its message and nothing invalid is ever published.
 * Only constructed when the cloud is enabled: without one the repositories queue nothing.
 */
export class OutboxWriter {
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #log: Pick<Logger, "warn"> | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(opts: OutboxWriterOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#newId = opts.newId ?? newMessageId;
    this.#log = opts.log;
  }

  /** Call `listener` after facts were queued (possibly before their transaction commits). */
  onWritten(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queue `facts` in order with `db` (pass the fact's transaction). */
  async write(db: Db, facts: readonly OutboxFact[]): Promise<void> {
    if (facts.length === 0) return;
    const now = this.#now();
    const rows = facts.map((f) => {
      const parsed = MESSAGE_BODIES[f.type].safeParse(f.body);
      const error = parsed.success ? null : `invalid ${f.type}: ${parsed.error.issues[0]?.message ?? "?"}`;
      if (error) this.#log?.warn({ type: f.type, subjectId: f.subjectId, error }, "outbox fact set aside");
      return {
        id: this.#newId(),
        topic_kind: f.type,
        camera_id: f.cameraId,
        type: f.type,
        subject_id: f.subjectId,
        body: JSON.stringify(parsed.success ? parsed.data : f.body),
        created_at: now,
        next_attempt_at: now,
        dead_at: error ? now : null,
        error,
      };
    });
    await db.insertInto("outbox").values(rows).execute();
    // After the caller's code resumes: the sender's read then queues behind this transaction.
    queueMicrotask(() => {
      for (const l of this.#listeners) l();
    });
  }

  /**
   * Queue an `event.updated`, replacing the event's older undelivered one: at most one waits per
   * event, however long the event lasts offline. (One being published right now is delivered or
   * not; either way the newer row follows it.)
   */
  async replaceUpdate(db: Db, fact: OutboxFact<"event.updated">): Promise<void> {
    await this.dropPending(db, fact.subjectId, "event.updated");
    await this.write(db, [fact]);
  }

  /** Delete `subjectId`'s undelivered rows of `type` (superseded, e.g. updates by the end). */
  async dropPending(db: Db, subjectId: string, type: OutboxType): Promise<void> {
    await db
      .deleteFrom("outbox")
      .where("subject_id", "=", subjectId)
      .where("type", "=", type)
      .where("delivered_at", "is", null)
      .execute();
  }
}

/** The delivery side of the `outbox` table. */
export class OutboxRepo {
  readonly #db: Kysely<AgentDatabase>;

  constructor(db: Kysely<AgentDatabase>) {
    this.#db = db;
  }

  /**
   * The first undelivered live row of every lane (camera), in seq order: the only rows that may be
   * sent now, since a camera's later facts wait for its earlier ones.
   */
  async heads(): Promise<OutboxRow[]> {
    return this.#db
      .selectFrom("outbox")
      .selectAll()
      .where("seq", "in", (eb) =>
        eb
          .selectFrom("outbox")
          .select((e) => e.fn.min("seq").as("seq"))
          .where("delivered_at", "is", null)
          .where("dead_at", "is", null)
          .groupBy("camera_id"),
      )
      .orderBy("seq")
      .execute();
  }

  /** Every undelivered live row in seq order (diagnostics, tests). */
  async undelivered(limit = 1000): Promise<OutboxRow[]> {
    return this.#db
      .selectFrom("outbox")
      .selectAll()
      .where("delivered_at", "is", null)
      .where("dead_at", "is", null)
      .orderBy("seq")
      .limit(limit)
      .execute();
  }

  async get(seq: number): Promise<OutboxRow | undefined> {
    return this.#db.selectFrom("outbox").selectAll().where("seq", "=", seq).executeTakeFirst();
  }

  async markDelivered(seq: number, at: number): Promise<void> {
    await this.#db.updateTable("outbox").set({ delivered_at: at }).where("seq", "=", seq).execute();
  }

  /** A failed attempt: count it and hold the row (and so its lane) until `nextAttemptAt`. */
  async markFailed(seq: number, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.#db
      .updateTable("outbox")
      .set({ attempts, next_attempt_at: nextAttemptAt, error: error.slice(0, 500) })
      .where("seq", "=", seq)
      .execute();
  }

  /** Set a row aside for good, so its lane moves on. */
  async markDead(seq: number, at: number, error: string): Promise<void> {
    await this.#db
      .updateTable("outbox")
      .set({ dead_at: at, error: error.slice(0, 500) })
      .where("seq", "=", seq)
      .execute();
  }

  /** Delete rows delivered, or dead, before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.#db
      .deleteFrom("outbox")
      .where((eb) => eb.or([eb("delivered_at", "<", before), eb("dead_at", "<", before)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
