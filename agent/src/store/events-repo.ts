import type { Kysely } from "kysely";
import { newId } from "./ids.js";
import { eventFact, type OutboxWriter } from "./outbox-repo.js";
import { insertRecordings, type NewRecordingInput, type StoredRecording } from "./recordings-repo.js";
import type { AgentDatabase, EventRow, EventType } from "./schema.js";
import { insertWarnings, type NewWarningInput } from "./warnings-repo.js";

/** A box as stored: `[x, y, w, h]`, normalised 0–1. */
export type BoxTuple = [number, number, number, number];

/** `events.metadata`: what the detector and the recorder know about an event. */
export interface EventMetadata {
  /** Boxes of the peak-motion frame. */
  boxes?: BoxTuple[];
  /** Union of every box seen. */
  area?: BoxTuple;
  /** Time of the peak-motion frame (the thumbnail's). */
  peakMs?: number;
  /** Motion frames counted. */
  frames?: number;
  /** Why the event ended: the tracker's `gap`, `max-duration`, `flush`, or `manual`. */
  endReason?: string;
  /** A manual recording's intended end (crash recovery ends the event there at the latest). */
  plannedEndMs?: number;
  /** The agent stopped (crash, power cut) while the event was open; closed at the next start. */
  interrupted?: boolean;
  /** Why the event has no (or a partial) clip. */
  clipError?: string;
  [key: string]: unknown;
}

export interface StoredEvent {
  id: string;
  cameraId: string;
  type: EventType;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  score: number;
  pinned: boolean;
  acknowledged: boolean;
  metadata: EventMetadata;
  thumbnailPath: string | null;
  createdAt: number;
}

export interface NewEventInput {
  id?: string;
  cameraId: string;
  type: EventType;
  startedAt: number;
  score?: number;
  metadata?: EventMetadata;
}

/** How an event ended and what was recorded for it. */
export interface EventEnd {
  endedAt: number;
  score: number;
  metadata: EventMetadata;
  thumbnail?: { path: string; sizeBytes: number } | null;
}

export interface EventListQuery {
  cameraId?: string;
  /** Events that started at or after this time (epoch ms). */
  since?: number;
  /** Events that started before this time. */
  until?: number;
  type?: EventType;
  /** Only events still in progress (`ended_at` null). */
  open?: boolean;
  /** Default 100. */
  limit?: number;
}

export function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    cameraId: r.camera_id,
    type: r.type,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    score: r.score,
    pinned: r.pinned === 1,
    acknowledged: r.acknowledged === 1,
    metadata: parseMetadata(r.metadata),
    thumbnailPath: r.thumbnail_path,
    createdAt: r.created_at,
  };
}

function parseMetadata(text: string): EventMetadata {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as EventMetadata) : {};
  } catch {
    return {};
  }
}

/**
 * The `events` table. Every write that must survive together is one transaction; with an outbox
 * (cloud enabled) that transaction also queues the facts the cloud must learn: `event.started`,
 * `event.updated` (one waiting per event at most), `event.ended` with each clip's `recording.ready`.
 */
export class EventsRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;
  readonly #outbox: OutboxWriter | undefined;

  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now, opts: { outbox?: OutboxWriter } = {}) {
    this.#db = db;
    this.#now = now;
    this.#outbox = opts.outbox;
  }

  /** Record an event that has just started (`ended_at` null until {@link finish}). */
  async insert(input: NewEventInput): Promise<StoredEvent> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("events")
        .values({
          id: input.id ?? newId(),
          camera_id: input.cameraId,
          type: input.type,
          started_at: Math.round(input.startedAt),
          score: input.score ?? 0,
          metadata: JSON.stringify(input.metadata ?? {}),
          created_at: this.#now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const event = toEvent(row);
      await this.#outbox?.write(trx, [eventFact("event.started", event)]);
      return event;
    });
  }

  /** Progress of an open event (peak score, boxes). */
  async update(id: string, fields: { score: number; metadata: EventMetadata }): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("events")
        .set({ score: fields.score, metadata: JSON.stringify(fields.metadata) })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      // An ended event's progress is old news: its `event.ended` says more.
      if (row && row.ended_at === null)
        await this.#outbox?.replaceUpdate(trx, eventFact("event.updated", toEvent(row)));
    });
  }

  /**
   * End an event in ONE transaction with its recordings (and any warnings): after a crash either
   * all of it is there or none. Inserts the event row when it is missing (its insert failed earlier)
   * so an event is never lost for want of its first write.
   */
  async finish(
    event: Pick<StoredEvent, "id" | "cameraId" | "type" | "startedAt">,
    end: EventEnd,
    recordings: readonly NewRecordingInput[] = [],
    warnings: readonly NewWarningInput[] = [],
  ): Promise<{ event: StoredEvent; recordings: StoredRecording[] }> {
    const now = this.#now();
    const endedAt = Math.round(Math.max(end.endedAt, event.startedAt));
    const set = {
      ended_at: endedAt,
      duration_ms: endedAt - Math.round(event.startedAt),
      score: end.score,
      metadata: JSON.stringify(end.metadata),
      thumbnail_path: end.thumbnail?.path ?? null,
      thumbnail_bytes: end.thumbnail?.sizeBytes ?? null,
    };
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("events")
        .values({
          id: event.id,
          camera_id: event.cameraId,
          type: event.type,
          started_at: Math.round(event.startedAt),
          created_at: now,
          ...set,
        })
        .onConflict((oc) => oc.column("id").doUpdateSet(set))
        .returningAll()
        .executeTakeFirstOrThrow();
      const ended = toEvent(row);
      if (this.#outbox) {
        // The end carries everything an update would: a waiting update is superseded.
        await this.#outbox.dropPending(trx, event.id, "event.updated");
        await this.#outbox.write(trx, [eventFact("event.ended", ended)]);
      }
      const recs = await insertRecordings(trx, event.id, event.cameraId, recordings, now, this.#outbox);
      await insertWarnings(trx, warnings, now, this.#outbox);
      return { event: ended, recordings: recs };
    });
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const row = await this.#db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toEvent(row);
  }

  /**
   * Forget an event (its owner deleted it). Its clips should be removed first (their facts go with
   * them); any left lose their link (`ON DELETE SET NULL`). Queues nothing: the cloud asked for it.
   * Returns whether there was such an event.
   */
  async remove(id: string): Promise<boolean> {
    const res = await this.#db.deleteFrom("events").where("id", "=", id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  /** Newest first. */
  async list(q: EventListQuery = {}): Promise<StoredEvent[]> {
    let query = this.#db.selectFrom("events").selectAll();
    if (q.cameraId !== undefined) query = query.where("camera_id", "=", q.cameraId);
    if (q.since !== undefined) query = query.where("started_at", ">=", q.since);
    if (q.until !== undefined) query = query.where("started_at", "<", q.until);
    if (q.type !== undefined) query = query.where("type", "=", q.type);
    if (q.open) query = query.where("ended_at", "is", null);
    const rows = await query
      .orderBy("started_at", "desc")
      .orderBy("id")
      .limit(q.limit ?? 100)
      .execute();
    return rows.map(toEvent);
  }

  /** Events left open (by a crash, when called at start), oldest first. */
  async listOpen(): Promise<StoredEvent[]> {
    const rows = await this.#db
      .selectFrom("events")
      .selectAll()
      .where("ended_at", "is", null)
      .orderBy("started_at")
      .execute();
    return rows.map(toEvent);
  }

  /** The latest event start per camera (for `lastEventAt` after a restart). */
  async lastStartedAt(): Promise<Map<string, number>> {
    const rows = await this.#db
      .selectFrom("events")
      .select(["camera_id", (eb) => eb.fn.max("started_at").as("last")])
      .groupBy("camera_id")
      .execute();
    return new Map(rows.map((r) => [r.camera_id, Number(r.last)]));
  }
}
