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
  /** Exact length of the file (sent as `Content-Length`, as the presigned URL requires). */
  sizeBytes: number;
  /** Bandwidth cap in bytes/s; 0 = none. */
  bytesPerSecond: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * PUT `filePath` to a presigned URL, streamed from disk (a Pi cannot hold a clip in memory) with
 * the presign's headers and its `Content-Length`. Resolves when the storage answered 2xx.
 */
export async function putFile(
  presigned: Pick<Extract<MediaPresignResult, { mode: "single" }>, "url" | "method" | "headers">,
  filePath: string,
  opts: PutFileOptions,
): Promise<void> {
  const file = createReadStream(filePath);
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
}
