import type { Kysely, Transaction } from "kysely";
import type { ClipInfo } from "../retention/clip-index.js";
import { newId } from "./ids.js";
import { clipDeletedFact, type OutboxWriter, recordingReadyFact } from "./outbox-repo.js";
import type { AgentDatabase, RecordingRow, UploadState } from "./schema.js";
import { insertWarnings, type NewWarningInput } from "./warnings-repo.js";

/** A finished clip file to record (one row of `recordings`). */
export interface NewRecordingInput {
  id?: string;
  /** Position within its event: 0, 1, … */
  index: number;
  filePath: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  sizeBytes: number;
  format: "mp4";
}

export interface StoredRecording {
  id: string;
  eventId: string | null;
  cameraId: string;
  index: number;
  filePath: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  sizeBytes: number;
  format: string;
  uploadState: UploadState;
  uploadedAt: number | null;
  createdAt: number;
}

/** A clip waiting for upload, with its event's thumbnail file when it is the event's first clip. */
export interface UploadCandidate extends StoredRecording {
  thumbnailPath: string | null;
}

export interface RecordingListQuery {
  cameraId?: string;
  eventId?: string;
  /** Clips that started at or after this time (epoch ms). */
  since?: number;
  uploadState?: UploadState;
  /** Default 100. */
  limit?: number;
}

type Db = Kysely<AgentDatabase> | Transaction<AgentDatabase>;

export function toRecording(r: RecordingRow): StoredRecording {
  return {
    id: r.id,
    eventId: r.event_id,
    cameraId: r.camera_id,
    index: r.idx,
    filePath: r.file_path,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    sizeBytes: r.size_bytes,
    format: r.format,
    uploadState: r.upload_state,
    uploadedAt: r.uploaded_at,
    createdAt: r.created_at,
  };
}

/**
 * Insert an event's recordings with the caller's connection (inside its transaction); with
 * `outbox`, each clip's `recording.ready` is queued in the same transaction, in index order.
 */
export async function insertRecordings(
  db: Db,
  eventId: string | null,
  cameraId: string,
  recordings: readonly NewRecordingInput[],
  now: number,
  outbox?: OutboxWriter,
): Promise<StoredRecording[]> {
  if (recordings.length === 0) return [];
  const rows = await db
    .insertInto("recordings")
    .values(
      recordings.map((r) => ({
        id: r.id ?? newId(),
        event_id: eventId,
        camera_id: cameraId,
        idx: r.index,
        file_path: r.filePath,
        started_at: Math.round(r.startedAt),
        ended_at: Math.round(r.endedAt),
        duration_ms: Math.round(r.durationMs),
        size_bytes: r.sizeBytes,
        format: r.format,
        created_at: now,
      })),
    )
    .returningAll()
    .execute();
  const stored = rows.map(toRecording).sort((a, b) => a.index - b.index);
  if (outbox) await outbox.write(db, stored.map(recordingReadyFact));
  return stored;
}

/**
 * Why a clip went, for `clip.deleted`: the caller's reason, else the one its warning carries
 * (retention puts it in `data.reason`), else what the warning says happened.
 */
function deletionReason(explicit: string | undefined, warning: NewWarningInput | undefined): string {
  if (explicit) return explicit;
  const fromData = warning?.data?.reason;
  if (typeof fromData === "string" && fromData) return fromData;
  return warning?.kind === "recording-file-missing" ? "file-missing" : "deleted";
}

/**
 * The `recordings` table: queries, and the store side of retention. A clip deleted by retention
 * loses its row (the event stays; a warning keeps the facts when it was never uploaded), rather than
 * being marked deleted: every reader (upload queue, lists, the viewer) then sees only clips that
 * exist, with no "deleted" filter to forget.
 */
export class RecordingsRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;
  readonly #outbox: OutboxWriter | undefined;

  /** With `opts.outbox` (cloud enabled) deletions are queued as `clip.deleted` with them. */
  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now, opts: { outbox?: OutboxWriter } = {}) {
    this.#db = db;
    this.#now = now;
    this.#outbox = opts.outbox;
  }

  async get(id: string): Promise<StoredRecording | undefined> {
    const row = await this.#db.selectFrom("recordings").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecording(row);
  }

  /** An event's clips in order. */
  async byEvent(eventId: string): Promise<StoredRecording[]> {
    const rows = await this.#db
      .selectFrom("recordings")
      .selectAll()
      .where("event_id", "=", eventId)
      .orderBy("idx")
      .execute();
    return rows.map(toRecording);
  }

  /** Newest first. */
  async list(q: RecordingListQuery = {}): Promise<StoredRecording[]> {
    let query = this.#db.selectFrom("recordings").selectAll();
    if (q.cameraId !== undefined) query = query.where("camera_id", "=", q.cameraId);
    if (q.eventId !== undefined) query = query.where("event_id", "=", q.eventId);
    if (q.since !== undefined) query = query.where("started_at", ">=", q.since);
    if (q.uploadState !== undefined) query = query.where("upload_state", "=", q.uploadState);
    const rows = await query
      .orderBy("started_at", "desc")
      .orderBy("idx", "desc")
      .limit(q.limit ?? 100)
      .execute();
    return rows.map(toRecording);
  }

  /** Every row's file, for the start-up check that the files still exist. */
  async files(): Promise<Pick<StoredRecording, "id" | "eventId" | "cameraId" | "filePath" | "sizeBytes">[]> {
    const rows = await this.#db
      .selectFrom("recordings")
      .select(["id", "event_id", "camera_id", "file_path", "size_bytes"])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      cameraId: r.camera_id,
      filePath: r.file_path,
      sizeBytes: r.size_bytes,
    }));
  }

  async markUploaded(id: string, at: number = this.#now()): Promise<void> {
    await this.#db
      .updateTable("recordings")
      .set({ upload_state: "uploaded", uploaded_at: at })
      .where("id", "=", id)
      .execute();
  }

  /**
   * The upload queue, oldest first: `pending` clips and `uploading` ones a crash left behind, with
   * their event's thumbnail (first clip only). `onlyEvents` leaves out clips without an event.
   */
  async uploadQueue(opts: { onlyEvents?: boolean; limit?: number } = {}): Promise<UploadCandidate[]> {
    let query = this.#db
      .selectFrom("recordings as r")
      .leftJoin("events as e", "e.id", "r.event_id")
      .selectAll("r")
      .select("e.thumbnail_path")
      .where("r.upload_state", "in", ["pending", "uploading"]);
    if (opts.onlyEvents) query = query.where("r.event_id", "is not", null);
    const rows = await query
      .orderBy("r.started_at")
      .orderBy("r.idx")
      .limit(opts.limit ?? 100)
      .execute();
    return rows.map((r) => ({
      ...toRecording(r),
      thumbnailPath: r.idx === 0 ? r.thumbnail_path : null,
    }));
  }

  /** Set a clip's upload state (not `uploaded`: that is {@link markUploaded}, which stamps the time). */
  async markUploadState(id: string, state: Exclude<UploadState, "uploaded">): Promise<void> {
    await this.#db.updateTable("recordings").set({ upload_state: state }).where("id", "=", id).execute();
  }

  /**
   * Every clip as retention sees it. A clip's size includes its event's thumbnail when it is the
   * event's first clip (index 0), which also carries the thumbnail file for deletion.
   */
  async forRetention(): Promise<ClipInfo[]> {
    const rows = await this.#db
      .selectFrom("recordings as r")
      .leftJoin("events as e", "e.id", "r.event_id")
      .select([
        "r.id",
        "r.camera_id",
        "r.started_at",
        "r.size_bytes",
        "r.file_path",
        "r.idx",
        "r.upload_state",
        "e.pinned",
        "e.thumbnail_path",
        "e.thumbnail_bytes",
      ])
      .execute();
    return rows.map((r) => {
      const thumb = r.idx === 0 ? r.thumbnail_path : null;
      return {
        id: r.id,
        cameraId: r.camera_id,
        startedAt: r.started_at,
        sizeBytes: r.size_bytes + (thumb ? (r.thumbnail_bytes ?? 0) : 0),
        pinned: r.pinned === 1,
        uploaded: r.upload_state === "uploaded",
        path: r.file_path,
        thumbnailPath: thumb,
      };
    });
  }

  /**
   * Forget clips whose files are gone, in one transaction: delete the rows (clearing the event's
   * thumbnail when it went with them) and record `warning` for each; with the outbox, queue the
   * warnings the cloud must learn (`retention.warning`) and a `clip.deleted` per clip, whose reason
   * is `reason`, else the warning's. Returns the rows removed.
   */
  async removeMany(
    ids: readonly string[],
    warning: (r: StoredRecording) => NewWarningInput | undefined,
    reason?: string,
  ): Promise<StoredRecording[]> {
    if (ids.length === 0) return [];
    return this.#db.transaction().execute(async (trx) => {
      const rows = (await trx.selectFrom("recordings").selectAll().where("id", "in", ids).execute()).map(
        toRecording,
      );
      if (rows.length === 0) return [];
      await trx.deleteFrom("recordings").where("id", "in", ids).execute();
      const firstOf = rows.filter((r) => r.index === 0 && r.eventId !== null).map((r) => r.eventId!);
      if (firstOf.length > 0) {
        await trx
          .updateTable("events")
          .set({ thumbnail_path: null, thumbnail_bytes: null })
          .where("id", "in", firstOf)
          .execute();
      }
      const perRow = rows.map((r) => ({ r, w: warning(r) }));
      const warnings = perRow.map((p) => p.w).filter((w): w is NewWarningInput => w !== undefined);
      await insertWarnings(trx, warnings, this.#now(), this.#outbox);
      await this.#outbox?.write(
        trx,
        perRow.map((p) => clipDeletedFact(p.r, deletionReason(reason, p.w))),
      );
      return rows;
    });
  }
}
