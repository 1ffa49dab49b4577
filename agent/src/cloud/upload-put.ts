import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { MediaPresignResult } from "@homecam/shared";
import { TokenBucket, throttled } from "./upload-throttle.js";

/** The storage refused the PUT (or could not be reached: `status` 0). */
export class UploadPutError extends Error {
  override readonly name = "UploadPutError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface PutFileOptions {
  /** Exact length of what is sent (sent as `Content-Length`, as the presigned URL requires). */
  sizeBytes: number;
  /** Send only bytes `[start, start + sizeBytes)` of the file (one part of a multipart upload). */
  start?: number;
  /** Bandwidth cap in bytes/s; 0 = none. */
  bytesPerSecond: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/** What the storage answered a PUT. */
export interface PutResult {
  /** The `ETag` header (a multipart part's proof for `complete`), or null when there was none. */
  etag: string | null;
}

/**
 * PUT `filePath` (or the range `opts.start` + `opts.sizeBytes` of it) to a presigned URL, streamed
 * from disk (a Pi cannot hold a clip in memory) with the presign's headers and its
 * `Content-Length`. Resolves when the storage answered 2xx.
 */
export async function putFile(
  presigned: Pick<Extract<MediaPresignResult, { mode: "single" }>, "url" | "method" | "headers">,
  filePath: string,
  opts: PutFileOptions,
): Promise<PutResult> {
  const start = opts.start ?? 0;
  // `end` is inclusive, so an empty range cannot be expressed with it: read nothing at all then.
  const file: Readable =
    opts.sizeBytes > 0
      ? createReadStream(filePath, { start, end: start + opts.sizeBytes - 1 })
      : Readable.from([]);
  const source: Readable =
    opts.bytesPerSecond > 0
      ? Readable.from(throttled(file, new TokenBucket(opts.bytesPerSecond), opts.signal))
      : file;
  let res: Response;
  try {
    res = await (opts.fetch ?? globalThis.fetch)(presigned.url, {
      method: presigned.method,
      headers: { ...presigned.headers, "content-length": String(opts.sizeBytes) },
      body: Readable.toWeb(source) as ReadableStream<Uint8Array>,
      duplex: "half",
      signal: opts.signal,
    } as RequestInit);
  } catch (err) {
    source.destroy();
    if (opts.signal.aborted) throw err;
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why =
      typeof cause?.code === "string" ? cause.code : err instanceof Error ? err.message : String(err);
    throw new UploadPutError(`upload PUT failed: ${why}`, 0);
  }
  // Drain the answer so the connection is reusable; its content does not matter.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new UploadPutError(`upload PUT answered ${res.status}`, res.status);
  return { etag: res.headers.get("etag") };
}
