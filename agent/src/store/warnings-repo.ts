import type { Kysely, Transaction } from "kysely";
import { newId } from "./ids.js";
import type { OutboxFact, OutboxWriter } from "./outbox-repo.js";
import type { AgentDatabase, WarningKind } from "./schema.js";

/** A warning to record; see {@link WarningKind}. */
export interface NewWarningInput {
  kind: WarningKind;
  cameraId?: string | null;
  eventId?: string | null;
  recordingId?: string | null;
  message: string;
  data?: Record<string, unknown>;
}

export interface StoredWarning {
  id: string;
  kind: WarningKind;
  cameraId: string | null;
  eventId: string | null;
  recordingId: string | null;
  message: string;
  data: Record<string, unknown>;
  createdAt: number;
}

type Db = Kysely<AgentDatabase> | Transaction<AgentDatabase>;

/**
 * The outbox fact of a warning the cloud must learn: a clip deleted before it was uploaded is a
 * `retention.warning` (the only copy is gone). Other warnings stay local.
 */
function warningFact(w: NewWarningInput): OutboxFact<"retention.warning"> | undefined {
  if (w.kind !== "clip-deleted-not-uploaded" || !w.recordingId) return undefined;
  const reason = typeof w.data?.reason === "string" && w.data.reason ? w.data.reason : "retention";
  const size = Number(w.data?.sizeBytes);
  return {
    type: "retention.warning",
    cameraId: w.cameraId ?? null,
    subjectId: w.recordingId,
    body: { recordingId: w.recordingId, reason, sizeBytes: Number.isFinite(size) ? size : 0 },
  };
}

/**
 * Insert warnings with the caller's connection: inside its transaction when it passes one. With
 * `outbox`, the warnings the cloud must learn are queued in the same transaction.
 */
export async function insertWarnings(
  db: Db,
  warnings: readonly NewWarningInput[],
  now: number,
  outbox?: OutboxWriter,
): Promise<void> {
  if (warnings.length === 0) return;
  await db
    .insertInto("warnings")
    .values(
      warnings.map((w) => ({
        id: newId(),
        kind: w.kind,
        camera_id: w.cameraId ?? null,
        event_id: w.eventId ?? null,
        recording_id: w.recordingId ?? null,
        message: w.message,
        data: JSON.stringify(w.data ?? {}),
        created_at: now,
      })),
    )
    .execute();
  if (outbox)
    await outbox.write(
      db,
      warnings.map(warningFact).filter((f) => f !== undefined),
    );
}

/** The `warnings` table (migration 0002). */
export class WarningsRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;
  readonly #outbox: OutboxWriter | undefined;

  /** With `opts.outbox` (cloud enabled) the warnings the cloud must learn are queued with them. */
  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now, opts: { outbox?: OutboxWriter } = {}) {
    this.#db = db;
    this.#now = now;
    this.#outbox = opts.outbox;
  }

  add(warning: NewWarningInput): Promise<void> {
    const outbox = this.#outbox;
    if (!outbox) return insertWarnings(this.#db, [warning], this.#now());
    return this.#db.transaction().execute((trx) => insertWarnings(trx, [warning], this.#now(), outbox));
  }

  /** Newest first. */
  async list(q: { cameraId?: string; kind?: WarningKind; since?: number; limit?: number } = {}) {
    let query = this.#db.selectFrom("warnings").selectAll();
    if (q.cameraId !== undefined) query = query.where("camera_id", "=", q.cameraId);
    if (q.kind !== undefined) query = query.where("kind", "=", q.kind);
    if (q.since !== undefined) query = query.where("created_at", ">=", q.since);
    const rows = await query
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(q.limit ?? 100)
      .execute();
    return rows.map(
      (r): StoredWarning => ({
        id: r.id,
        kind: r.kind,
        cameraId: r.camera_id,
        eventId: r.event_id,
        recordingId: r.recording_id,
        message: r.message,
        data: JSON.parse(r.data) as Record<string, unknown>,
        createdAt: r.created_at,
      }),
    );
  }
}
