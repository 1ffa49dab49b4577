import type { Kysely } from "kysely";
import type { AgentDatabase } from "./schema.js";

/** Which object of a recording an upload is for (as in the cloud's media routes). */
export type UploadObjectKind = "clip" | "thumbnail";

/** A multipart upload begun earlier: enough to carry on after a restart. */
export interface SavedMultipart {
  uploadId: string;
  objectKey: string;
  partSizeBytes: number;
  /** The file's size when the upload began. */
  sizeBytes: number;
  /** ETag of every finished part, by part number. */
  parts: Map<number, string>;
}

/** Where the uploader keeps multipart state between parts (and restarts). */
export interface MultipartStateStore {
  load(recordingId: string, kind: UploadObjectKind): Promise<SavedMultipart | undefined>;
  /** Start afresh with `upload` (no parts yet), replacing whatever was kept for this object. */
  begin(recordingId: string, kind: UploadObjectKind, upload: Omit<SavedMultipart, "parts">): Promise<void>;
  savePart(recordingId: string, kind: UploadObjectKind, partNumber: number, etag: string): Promise<void>;
  clear(recordingId: string, kind: UploadObjectKind): Promise<void>;
}

/** Tables of migration 0005, seen through `withTables` (kept next to the only code that uses them). */
type MultipartTables = {
  multipart_uploads: {
    recording_id: string;
    kind: UploadObjectKind;
    upload_id: string;
    object_key: string;
    part_size: number;
    size_bytes: number;
    created_at: number;
  };
  multipart_parts: {
    recording_id: string;
    kind: UploadObjectKind;
    part_number: number;
    etag: string;
    created_at: number;
  };
};

/**
 * Multipart state in SQLite (migration 0005): each part's ETag is committed the moment the storage
 * answered it, so a restart (or a power cut) loses at most the part that was on the wire. Rows go
 * with their recording (cascade) and are cleared once the cloud confirmed the upload.
 */
export class MultipartUploadsRepo implements MultipartStateStore {
  readonly #db: Kysely<AgentDatabase & MultipartTables>;
  readonly #now: () => number;

  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now) {
    this.#db = db.withTables<MultipartTables>();
    this.#now = now;
  }

  async load(recordingId: string, kind: UploadObjectKind): Promise<SavedMultipart | undefined> {
    const upload = await this.#db
      .selectFrom("multipart_uploads")
      .selectAll()
      .where("recording_id", "=", recordingId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    if (!upload) return undefined;
    const parts = await this.#db
      .selectFrom("multipart_parts")
      .select(["part_number", "etag"])
      .where("recording_id", "=", recordingId)
      .where("kind", "=", kind)
      .orderBy("part_number")
      .execute();
    return {
      uploadId: upload.upload_id,
      objectKey: upload.object_key,
      partSizeBytes: upload.part_size,
      sizeBytes: upload.size_bytes,
      parts: new Map(parts.map((p) => [p.part_number, p.etag])),
    };
  }

  async begin(
    recordingId: string,
    kind: UploadObjectKind,
    upload: Omit<SavedMultipart, "parts">,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      // The old upload's parts go with it (cascade).
      await trx
        .deleteFrom("multipart_uploads")
        .where("recording_id", "=", recordingId)
        .where("kind", "=", kind)
        .execute();
      await trx
        .insertInto("multipart_uploads")
        .values({
          recording_id: recordingId,
          kind,
          upload_id: upload.uploadId,
          object_key: upload.objectKey,
          part_size: upload.partSizeBytes,
          size_bytes: upload.sizeBytes,
          created_at: this.#now(),
        })
        .execute();
    });
  }

  async savePart(
    recordingId: string,
    kind: UploadObjectKind,
    partNumber: number,
    etag: string,
  ): Promise<void> {
    await this.#db
      .insertInto("multipart_parts")
      .values({ recording_id: recordingId, kind, part_number: partNumber, etag, created_at: this.#now() })
      .onConflict((oc) => oc.columns(["recording_id", "kind", "part_number"]).doUpdateSet({ etag }))
      .execute();
  }

  async clear(recordingId: string, kind: UploadObjectKind): Promise<void> {
    await this.#db
      .deleteFrom("multipart_uploads")
      .where("recording_id", "=", recordingId)
      .where("kind", "=", kind)
      .execute();
  }
}

/** The same contract in memory (no resume across restarts): for callers without a database. */
export class MemoryMultipartState implements MultipartStateStore {
  readonly #uploads = new Map<string, SavedMultipart>();

  async load(recordingId: string, kind: UploadObjectKind): Promise<SavedMultipart | undefined> {
    const saved = this.#uploads.get(`${kind}:${recordingId}`);
    return saved && { ...saved, parts: new Map(saved.parts) };
  }

  async begin(recordingId: string, kind: UploadObjectKind, upload: Omit<SavedMultipart, "parts">) {
    this.#uploads.set(`${kind}:${recordingId}`, { ...upload, parts: new Map() });
  }

  async savePart(recordingId: string, kind: UploadObjectKind, partNumber: number, etag: string) {
    this.#uploads.get(`${kind}:${recordingId}`)?.parts.set(partNumber, etag);
  }

  async clear(recordingId: string, kind: UploadObjectKind): Promise<void> {
    this.#uploads.delete(`${kind}:${recordingId}`);
  }
}
