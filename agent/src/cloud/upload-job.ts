import { stat } from "node:fs/promises";
import {
  MEDIA_CONTENT_TYPES,
  type MediaKind,
  mediaCompleteResultSchema,
  mediaPresignResultSchema,
} from "@homecam/shared";
import type { CloudApi } from "./cloud-api.js";
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

/**
 * presign → PUT → complete for one object. The cloud derives the key from the recording and the
 * kind, so a repeat after a crash overwrites the same object and a repeated complete is a no-op.
 */
async function uploadObject(
  deps: UploadJobDeps,
  recordingId: string,
  kind: MediaKind,
  filePath: string,
  sizeBytes: number,
): Promise<void> {
  const presigned = mediaPresignResultSchema.parse(
    await deps.api.call("POST", "/api/media/presign", {
      recordingId,
      kind,
      contentType: MEDIA_CONTENT_TYPES[kind],
      sizeBytes,
    }),
  );
  if (presigned.mode !== "single") throw new Error("multipart uploads are not supported yet");
  await putFile(presigned, filePath, {
    sizeBytes,
    bytesPerSecond: deps.bytesPerSecond,
    signal: deps.signal,
    ...(deps.fetch && { fetch: deps.fetch }),
  });
  mediaCompleteResultSchema.parse(
    await deps.api.call("POST", "/api/media/complete", {
      recordingId,
      kind,
      objectKey: presigned.objectKey,
      sizeBytes,
    }),
  );
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
