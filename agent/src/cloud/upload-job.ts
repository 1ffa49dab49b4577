import { stat } from "node:fs/promises";
import {
  MEDIA_CONTENT_TYPES,
  type MediaCompleteBody,
  type MediaKind,
  mediaCompleteResultSchema,
  mediaPresignResultSchema,
} from "@homecam/shared";
import type { MultipartStateStore, SavedMultipart } from "../store/multipart-uploads-repo.js";
import type { CloudApi } from "./cloud-api.js";
import { uploadParts } from "./upload-multipart.js";
import { putFile } from "./upload-put.js";

/** What one upload attempt of a clip came to (a failure to retry is thrown instead). */
export type UploadOutcome =
  /** The cloud confirmed the clip (and its thumbnail, if any). */
  | { kind: "uploaded" }
  /** The cloud does not know the recording yet (its `recording.ready` is still in the outbox). */
  | { kind: "unknown" }
  /** The clip will never upload: its file is gone, or the cloud refuses its size. */
  | { kind: "local-only"; reason: "file-missing" | "too-large" };

export interface UploadJobDeps {
  api: Pick<CloudApi, "call">;
  bytesPerSecond: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** Multipart uploads in progress, kept part by part so a restart resumes them. */
  multipart: MultipartStateStore;
  /** First wait before a failed part is tried again within the attempt (default 500 ms). */
  partRetryMs?: number;
  /** A thumbnail that could not be sent (its file is gone): logged, it does not hold the clip back. */
  onThumbnailSkipped(why: string): void;
}

export interface UploadJob {
  recordingId: string;
  filePath: string;
  /** The event's thumbnail, sent after this clip (only the event's first clip has one). */
  thumbnailPath: string | null;
  /** The clip is already confirmed (an earlier attempt failed on the thumbnail): skip to it. */
  clipDone: boolean;
  /** Called once the cloud confirmed the clip itself. */
  onClipDone(): void;
}

/** The size of a file, or null when it does not exist. */
async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

const codeOf = (err: unknown): string | undefined => (err as { code?: unknown }).code as string | undefined;

type Presigned = ReturnType<typeof mediaPresignResultSchema.parse>;

async function presign(
  deps: UploadJobDeps,
  recordingId: string,
  kind: MediaKind,
  sizeBytes: number,
  uploadId?: string,
): Promise<Presigned> {
  return mediaPresignResultSchema.parse(
    await deps.api.call("POST", "/api/media/presign", {
      recordingId,
      kind,
      contentType: MEDIA_CONTENT_TYPES[kind],
      sizeBytes,
      ...(uploadId !== undefined && { uploadId }),
    }),
  );
}

/**
 * Presign, resuming the saved multipart upload when there is one. The cloud answers E_CONFLICT
 * for an upload id the storage no longer knows (expired, aborted): its parts are void, so the
 * state is dropped and a fresh upload is presigned in the same attempt.
 */
async function presignResuming(
  deps: UploadJobDeps,
  recordingId: string,
  kind: MediaKind,
  sizeBytes: number,
): Promise<{ presigned: Presigned; saved: SavedMultipart | undefined }> {
  let saved = await deps.multipart.load(recordingId, kind);
  if (saved && saved.sizeBytes !== sizeBytes) {
    // Another file under the same recording (never expected: clips are immutable): start over.
    await deps.multipart.clear(recordingId, kind);
    saved = undefined;
  }
  if (!saved) return { presigned: await presign(deps, recordingId, kind, sizeBytes), saved };
  try {
    return { presigned: await presign(deps, recordingId, kind, sizeBytes, saved.uploadId), saved };
  } catch (err) {
    if (codeOf(err) !== "E_CONFLICT") throw err;
    await deps.multipart.clear(recordingId, kind);
    return { presigned: await presign(deps, recordingId, kind, sizeBytes), saved: undefined };
  }
}

/**
 * presign → PUT (one, or one per part) → complete for one object. The cloud derives the key from
 * the recording and the kind, so a repeat after a crash overwrites the same object and a repeated
 * complete is a no-op. Multipart state is saved part by part and cleared only after the complete.
 */
async function uploadObject(
  deps: UploadJobDeps,
  recordingId: string,
  kind: MediaKind,
  filePath: string,
  sizeBytes: number,
): Promise<void> {
  const { presigned, saved } = await presignResuming(deps, recordingId, kind, sizeBytes);
  const putOpts = {
    bytesPerSecond: deps.bytesPerSecond,
    signal: deps.signal,
    ...(deps.fetch && { fetch: deps.fetch }),
  };
  if (presigned.mode === "single") {
    // The cloud chose one PUT (fs storage, or a small object): no multipart state is of use.
    if (saved) await deps.multipart.clear(recordingId, kind);
    await putFile(presigned, filePath, { sizeBytes, ...putOpts });
    await complete(deps, { recordingId, kind, objectKey: presigned.objectKey, sizeBytes });
    return;
  }
  const resumable =
    saved?.uploadId === presigned.uploadId &&
    saved.objectKey === presigned.objectKey &&
    saved.partSizeBytes === presigned.partSizeBytes;
  if (!resumable) {
    await deps.multipart.begin(recordingId, kind, {
      uploadId: presigned.uploadId,
      objectKey: presigned.objectKey,
      partSizeBytes: presigned.partSizeBytes,
      sizeBytes,
    });
  }
  const parts = await uploadParts(
    presigned,
    { recordingId, kind, filePath, sizeBytes },
    resumable ? saved.parts : new Map(),
    {
      state: deps.multipart,
      signal: deps.signal,
      put: (target, start, length) => putFile(target, filePath, { sizeBytes: length, start, ...putOpts }),
      ...(deps.partRetryMs !== undefined && { partRetryMs: deps.partRetryMs }),
    },
  );
  try {
    await complete(deps, {
      recordingId,
      kind,
      objectKey: presigned.objectKey,
      sizeBytes,
      uploadId: presigned.uploadId,
      parts,
    });
  } catch (err) {
    // The cloud could not assemble the object from these parts (the upload is gone): begin again.
    if (codeOf(err) === "E_CONFLICT") await deps.multipart.clear(recordingId, kind);
    throw err;
  }
  await deps.multipart.clear(recordingId, kind);
}

async function complete(deps: UploadJobDeps, body: MediaCompleteBody): Promise<void> {
  mediaCompleteResultSchema.parse(await deps.api.call("POST", "/api/media/complete", body));
}

/** One attempt at uploading a clip and then its event's thumbnail. Throws what should be retried. */
export async function runUploadJob(job: UploadJob, deps: UploadJobDeps): Promise<UploadOutcome> {
  if (!job.clipDone) {
    const size = await fileSize(job.filePath);
    if (size === null) return { kind: "local-only", reason: "file-missing" };
    try {
      await uploadObject(deps, job.recordingId, "clip", job.filePath, size);
    } catch (err) {
      if (codeOf(err) === "E_NOT_FOUND") return { kind: "unknown" };
      if (codeOf(err) === "E_PAYLOAD_TOO_LARGE") return { kind: "local-only", reason: "too-large" };
      throw err;
    }
    job.onClipDone();
  }
  if (job.thumbnailPath) {
    const size = await fileSize(job.thumbnailPath);
    if (size === null) deps.onThumbnailSkipped("thumbnail file missing");
    else {
      try {
        await uploadObject(deps, job.recordingId, "thumbnail", job.thumbnailPath, size);
      } catch (err) {
        if (codeOf(err) !== "E_PAYLOAD_TOO_LARGE") throw err;
        deps.onThumbnailSkipped("thumbnail refused as too large");
      }
    }
  }
  return { kind: "uploaded" };
}
