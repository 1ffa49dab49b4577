import type { MediaPresignResult } from "@homecam/shared";
import type { MultipartStateStore, UploadObjectKind } from "../store/multipart-uploads-repo.js";
import { reconnectDelay } from "./reconnect-backoff.js";
import { type PutResult, UploadPutError } from "./upload-put.js";
import { realTiming } from "./upload-throttle.js";

/** A `multipart` presign answer. */
export type MultipartPresign = Extract<MediaPresignResult, { mode: "multipart" }>;

/** One finished part, as `/api/media/complete` wants it. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** A multipart upload that cannot go on: its saved state was dropped, the next attempt starts over. */
export class MultipartRestartError extends Error {
  override readonly name = "MultipartRestartError";
  readonly code = "HC_ERR_UPLOAD_RESTART";
}

export interface MultipartObject {
  recordingId: string;
  kind: UploadObjectKind;
  filePath: string;
  sizeBytes: number;
}

export interface MultipartDeps {
  state: MultipartStateStore;
  /** PUT bytes `[start, start + sizeBytes)` of the object's file to `target` (throttled, abortable). */
  put(target: MultipartPresign["parts"][number], start: number, sizeBytes: number): Promise<PutResult>;
  signal: AbortSignal;
  /** Tries per part within one attempt of the upload (default 3). */
  partAttempts?: number;
  /** First wait before a part is tried again (default 500 ms, doubling). */
  partRetryMs?: number;
}

/**
 * A part PUT worth trying again at once: the storage could not be reached, timed out, throttled
 * or failed inside. Anything else (403 expired URL, 404 unknown upload) needs a new presign.
 */
function transient(err: unknown): boolean {
  if (!(err instanceof UploadPutError)) return false;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}

/** PUT one part, trying it again alone (not the whole object) when the failure is transient. */
async function putPart(
  deps: MultipartDeps,
  part: MultipartPresign["parts"][number],
  start: number,
  length: number,
): Promise<string> {
  const attempts = Math.max(1, deps.partAttempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      const { etag } = await deps.put(part, start, length);
      if (!etag) throw new UploadPutError(`part ${part.partNumber} answered without an ETag`, 200);
      return etag;
    } catch (err) {
      if (deps.signal.aborted || attempt >= attempts || !transient(err)) throw err;
      const wait = reconnectDelay(attempt - 1, { initialMs: deps.partRetryMs ?? 500, maxMs: 10_000 });
      await realTiming.sleep(wait, deps.signal);
    }
  }
}

/**
 * Upload the parts of `obj` that `done` does not hold yet, in part order, one at a time (a Pi's
 * uplink is the bottleneck; parallel parts would only compete), committing each ETag to `state`
 * as soon as the storage answered it. Part `n` is bytes `[(n-1)·partSize, n·partSize)`, read
 * from disk as it is sent. Resolves with every part of the object, ascending, for `complete`.
 */
export async function uploadParts(
  presigned: MultipartPresign,
  obj: MultipartObject,
  done: ReadonlyMap<number, string>,
  deps: MultipartDeps,
): Promise<CompletedPart[]> {
  const partSize = presigned.partSizeBytes;
  const count = Math.max(1, Math.ceil(obj.sizeBytes / partSize));
  const etags = new Map(done);
  const restart = async (why: string): Promise<never> => {
    await deps.state.clear(obj.recordingId, obj.kind);
    throw new MultipartRestartError(`multipart upload of ${obj.kind} ${obj.recordingId}: ${why}`);
  };
  const parts = [...presigned.parts].sort((a, b) => a.partNumber - b.partNumber);
  // Checked before a byte is sent: an answer that cannot make up the object wastes no uplink.
  const beyond = parts.find((p) => p.partNumber > count);
  if (beyond) return restart(`part ${beyond.partNumber} is beyond the object's ${count}`);
  const offered = new Set(parts.map((p) => p.partNumber));
  for (let n = 1; n <= count; n++) {
    // Neither saved nor offered by the cloud: nothing here can produce it, so begin again.
    if (!etags.has(n) && !offered.has(n)) return restart(`part ${n} was neither uploaded nor presigned`);
  }
  for (const part of parts) {
    if (etags.has(part.partNumber)) continue;
    const start = (part.partNumber - 1) * partSize;
    const length = Math.min(partSize, obj.sizeBytes - start);
    let etag: string;
    try {
      etag = await putPart(deps, part, start, length);
    } catch (err) {
      // 404: the storage no longer knows the upload (expired, aborted): the saved parts are void.
      if (err instanceof UploadPutError && err.status === 404) return restart("the storage lost the upload");
      throw err;
    }
    await deps.state.savePart(obj.recordingId, obj.kind, part.partNumber, etag);
    etags.set(part.partNumber, etag);
  }
  return Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) as string }));
}
