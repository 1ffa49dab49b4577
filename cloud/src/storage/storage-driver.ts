import type { StorageDriverKind } from "@homecam/shared";

/** A URL the agent uploads one object (or one part) to, with the headers it must send. */
export interface PresignedPut {
  url: string;
  method: "PUT";
  /** Headers that are part of the signature (Content-Type); send them exactly. */
  headers: Record<string, string>;
  /** Epoch milliseconds after which the URL is refused. */
  expiresAt: number;
}

/** A URL a viewer downloads one object from. */
export interface PresignedGet {
  url: string;
  /** Epoch milliseconds after which the URL is refused. */
  expiresAt: number;
}

export interface PresignPutOptions {
  contentType: string;
  /** When given, the upload must be exactly this long (fs refuses more; S3 signs the header). */
  contentLength?: number;
  expiresInS: number;
}

export interface PresignGetOptions {
  expiresInS: number;
  /** Offer the object as a download under this file name (`Content-Disposition: attachment`). */
  downloadName?: string;
}

/** What {@link StorageDriver.head} learns about a stored object. */
export interface ObjectInfo {
  sizeBytes: number;
  etag?: string;
}

/** One uploaded part of a multipart upload, as the client saw it (the part PUT's `ETag`). */
export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/**
 * Multipart uploads (S3 only): the agent uploads large clips in parts, each through its own
 * presigned URL, so a failed part is retried alone and an upload resumes after a restart.
 */
export interface MultipartUploads {
  /** Start an upload; the returned id names it in every later call. */
  createMultipart(key: string, opts: { contentType: string }): Promise<string>;
  /** A URL for part `partNumber` (1…10000; every part but the last ≥ 5 MiB on real S3). */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    opts: { expiresInS: number },
  ): Promise<PresignedPut>;
  /** Assemble the parts (in part-number order) into the object. */
  completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Drop an unfinished upload and its parts. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/**
 * One object store behind the media routes. Keys are validated by the driver
 * ({@link parseObjectKey}); callers scope them to a device with {@link assertKeyOfDevice} first.
 * Failures of the store itself surface as `ApiError("E_STORAGE_ERROR")`.
 */
export interface StorageDriver {
  readonly kind: StorageDriverKind;
  /** Multipart support, or `false` when a single PUT must carry the whole object (fs). */
  readonly multipart: MultipartUploads | false;
  presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut>;
  presignGet(key: string, opts: PresignGetOptions): Promise<PresignedGet>;
  /** Size (and ETag when the store has one) of an object, or null when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Remove an object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Write a small probe object, read it back and delete it: proves the settings (endpoint,
   * bucket, credentials, permissions) work before a user's own bucket is saved.
   */
  putTest(): Promise<void>;
}
