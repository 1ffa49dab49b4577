import type { MediaKind } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase, RecordingsTable } from "../db/schema.js";
import type { MediaUploadsTable } from "../db/schema-storage.js";

// Uploads between presign and complete (`media_uploads`): the store chosen at the first presign
// of a recording's clip or thumbnail, so a retry or a restarted agent resumes into the same store
// (and the same multipart upload) even if the owner changed providers meanwhile.

type Db = Kysely<CloudDatabase>;

export function pendingUpload(
  db: Db,
  recordingId: string,
  kind: MediaKind,
): Promise<MediaUploadsTable | undefined> {
  return db
    .selectFrom("media_uploads")
    .selectAll()
    .where("recording_id", "=", recordingId)
    .where("kind", "=", kind)
    .executeTakeFirst();
}

/** Remember the first choice; a concurrent presign that won keeps its row. Returns the row kept. */
export async function rememberUpload(db: Db, row: MediaUploadsTable): Promise<MediaUploadsTable> {
  await db
    .insertInto("media_uploads")
    .values(row)
    .onConflict((oc) => oc.columns(["recording_id", "kind"]).doNothing())
    .execute();
  return (await pendingUpload(db, row.recording_id, row.kind)) ?? row;
}

/** Attach a multipart upload id unless another presign attached one first; returns the id kept. */
export async function rememberUploadId(
  db: Db,
  recordingId: string,
  kind: MediaKind,
  uploadId: string,
): Promise<string> {
  await db
    .updateTable("media_uploads")
    .set({ upload_id: uploadId })
    .where("recording_id", "=", recordingId)
    .where("kind", "=", kind)
    .where("upload_id", "is", null)
    .execute();
  return (await pendingUpload(db, recordingId, kind))?.upload_id ?? uploadId;
}

/** The agent started the upload over: this multipart upload id replaces the remembered one. */
export async function replaceUploadId(
  db: Db,
  recordingId: string,
  kind: MediaKind,
  uploadId: string,
): Promise<void> {
  await db
    .updateTable("media_uploads")
    .set({ upload_id: uploadId })
    .where("recording_id", "=", recordingId)
    .where("kind", "=", kind)
    .execute();
}

export async function forgetUpload(db: Db, recordingId: string, kind: MediaKind): Promise<void> {
  await db
    .deleteFrom("media_uploads")
    .where("recording_id", "=", recordingId)
    .where("kind", "=", kind)
    .execute();
}

/**
 * The provider an already stored object of this recording was written to, when `objectKey` is
 * what the index holds (a repeat after the upload completed); undefined when nothing is stored.
 */
export async function storedProvider(
  db: Db,
  recording: RecordingsTable,
  kind: MediaKind,
  objectKey: string,
): Promise<{ providerId: string | null } | undefined> {
  if (kind === "clip") {
    const row = await db
      .selectFrom("recordings")
      .select(["object_key", "provider_id"])
      .where("id", "=", recording.id)
      .executeTakeFirst();
    return row?.object_key === objectKey ? { providerId: row.provider_id } : undefined;
  }
  if (recording.event_id === null) return undefined;
  const event = await db
    .selectFrom("events")
    .select(["thumbnail_key", "thumbnail_provider_id"])
    .where("id", "=", recording.event_id)
    .executeTakeFirst();
  return event?.thumbnail_key === objectKey ? { providerId: event.thumbnail_provider_id } : undefined;
}

/** Write where the object lives next to it (before the ingest sets its key: never a key without it). */
export async function recordProvider(
  db: Db,
  recording: RecordingsTable,
  kind: MediaKind,
  providerId: string | null,
): Promise<void> {
  if (kind === "clip") {
    await db
      .updateTable("recordings")
      .set({ provider_id: providerId })
      .where("id", "=", recording.id)
      .execute();
  } else if (recording.event_id !== null) {
    await db
      .updateTable("events")
      .set({ thumbnail_provider_id: providerId })
      .where("id", "=", recording.event_id)
      .execute();
  }
}
