import type { Kysely, Transaction } from "kysely";
import { newId } from "./ids.js";
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

/** Insert warnings with the caller's connection: inside its transaction when it passes one. */
export async function insertWarnings(
  db: Db,
  warnings: readonly NewWarningInput[],
  now: number,
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
}

/** The `warnings` table (migration 0002). */
export class WarningsRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;

  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  add(warning: NewWarningInput): Promise<void> {
    return insertWarnings(this.#db, [warning], this.#now());
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
