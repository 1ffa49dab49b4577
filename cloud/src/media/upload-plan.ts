import {
  ApiError,
  type MediaCompleteBody,
  type MediaKind,
  type MediaPresignBody,
  type MediaPresignResult,
  MULTIPART_PART_BYTES,
  MULTIPART_THRESHOLD_BYTES,
} from "@homecam/shared";
import type { RecordingsTable } from "../db/schema.js";
import type { MediaUploadsTable } from "../db/schema-storage.js";
import type { StorageDriver } from "../storage/storage-driver.js";
import { type MediaDeps, UPLOAD_URL_TTL_S } from "./media-deps.js";
import {
  pendingUpload,
  rememberUpload,
  rememberUploadId,
  replaceUploadId,
  storedProvider,
} from "./media-uploads.js";

// How one upload is planned: which store (chosen once per recording and kind), one PUT or parts,
// and completing the parts exactly once.

/** S3 allows at most this many parts per upload. */
const MAX_PARTS = 10_000;

/** The store an upload goes to, and the `media_uploads` row that remembers it. */
export interface UploadStore {
  row: MediaUploadsTable;
  driver: StorageDriver;
}

/**
 * The remembered store of this upload, or a new choice remembered now: the store an already
 * indexed object of the same key lives in (a repeat after completion), else the resolver's pick
 * for the device's owner. A concurrent first presign that won keeps its choice.
 */
export async function uploadStore(
  deps: MediaDeps,
  deviceId: string,
  recording: RecordingsTable,
  kind: MediaKind,
  objectKey: string,
): Promise<UploadStore> {
  const { db, clock } = deps.ctx;
  const pending = await pendingUpload(db, recording.id, kind);
  if (pending) return { row: pending, driver: await deps.storage.forObject(pending.provider_id) };
  const stored = await storedProvider(db, recording, kind, objectKey);
  const target = stored
    ? { providerId: stored.providerId, driver: await deps.storage.forObject(stored.providerId) }
    : await deps.storage.forUpload(deviceId, kind);
  const row = await rememberUpload(db, {
    recording_id: recording.id,
    kind,
    provider_id: target.providerId,
    object_key: objectKey,
    upload_id: null,
    created_at: clock.now(),
  });
  const driver =
    row.provider_id === target.providerId ? target.driver : await deps.storage.forObject(row.provider_id);
  return { row, driver };
}

/** The presign answer: one PUT URL, or (re-)signed part URLs of the remembered multipart upload. */
export async function presignUpload(
  deps: MediaDeps,
  store: UploadStore,
  recording: RecordingsTable,
  body: MediaPresignBody,
  objectKey: string,
): Promise<MediaPresignResult> {
  const { row, driver } = store;
  if (body.uploadId !== undefined && body.uploadId !== row.upload_id) {
    throw new ApiError("E_CONFLICT", "uploadId is not the upload presigned for this object");
  }
  const multipart = driver.multipart;
  if (!multipart || body.sizeBytes <= MULTIPART_THRESHOLD_BYTES) {
    const put = await driver.presignPut(objectKey, {
      contentType: body.contentType,
      contentLength: body.sizeBytes,
      expiresInS: UPLOAD_URL_TTL_S,
    });
    return { mode: "single", objectKey, ...put };
  }
  const count = Math.ceil(body.sizeBytes / MULTIPART_PART_BYTES);
  if (count > MAX_PARTS) throw new ApiError("E_PAYLOAD_TOO_LARGE", "object too large for a multipart upload");
  let uploadId = row.upload_id;
  if (uploadId === null) {
    const created = await multipart.createMultipart(objectKey, { contentType: body.contentType });
    uploadId = await rememberUploadId(deps.ctx.db, recording.id, body.kind, created);
    // Another presign attached its upload first: this one is never used.
    if (uploadId !== created) await multipart.abortMultipart(objectKey, created).catch(() => {});
  } else if (body.uploadId === undefined) {
    // The agent starts over (it has no parts of the remembered upload, or the storage lost it):
    // a fresh upload, in the same store.
    const stale = uploadId;
    uploadId = await multipart.createMultipart(objectKey, { contentType: body.contentType });
    await replaceUploadId(deps.ctx.db, recording.id, body.kind, uploadId);
    await multipart.abortMultipart(objectKey, stale).catch(() => {});
  }
  const id = uploadId;
  const parts = await Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      partNumber: i + 1,
      ...(await multipart.presignPart(objectKey, id, i + 1, { expiresInS: UPLOAD_URL_TTL_S })),
    })),
  );
  return { mode: "multipart", objectKey, uploadId: id, partSizeBytes: MULTIPART_PART_BYTES, parts };
}

/**
 * Assemble the parts of the remembered multipart upload. A repeat after it succeeded (the object
 * already has the announced size) does nothing: the storage has forgotten the upload id by then.
 */
export async function completeMultipartOnce(
  driver: StorageDriver,
  uploadId: string,
  body: MediaCompleteBody,
  objectKey: string,
): Promise<void> {
  if (body.uploadId !== uploadId) {
    throw new ApiError("E_CONFLICT", "uploadId is not the upload presigned for this object");
  }
  const existing = await driver.head(objectKey);
  if (existing && existing.sizeBytes === body.sizeBytes) return;
  if (!body.parts) throw new ApiError("E_VALIDATION", "parts are required to complete a multipart upload");
  if (!driver.multipart) throw new ApiError("E_STORAGE_ERROR", "the storage takes no multipart uploads");
  try {
    await driver.multipart.completeMultipart(objectKey, uploadId, body.parts);
  } catch (err) {
    // The storage refuses these parts for good (upload gone, a wrong ETag): the agent must begin
    // again, which E_CONFLICT tells it. Anything else (a 500, a timeout) is retried as it is.
    if (PARTS_REFUSED.has(causeName(err))) {
      throw new ApiError("E_CONFLICT", "the storage cannot assemble these parts: start the upload again");
    }
    throw err;
  }
}

/** S3 error names that mean a multipart upload cannot be completed with these parts, ever. */
const PARTS_REFUSED = new Set(["NoSuchUpload", "InvalidPart", "InvalidPartOrder", "EntityTooSmall"]);

function causeName(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const name = (cause as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : "";
}
