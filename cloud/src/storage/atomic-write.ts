import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PassThrough, type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError } from "@homecam/shared";

export interface AtomicWriteLimits {
  /** More bytes than this fails with `E_PAYLOAD_TOO_LARGE`. */
  maxBytes: number;
  /** When set, any other length fails (a short body is a broken upload, not an object). */
  exactBytes?: number | undefined;
}

/** The written object: its size and a quoted MD5 ETag, as S3 gives a single-part PUT. */
export interface WrittenObject {
  sizeBytes: number;
  etag: string;
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Stream `body` into `target` atomically: bytes go to a fresh file in `partialDir` (same file
 * system), which is fsynced and renamed into place only when complete and within limits, so a
 * reader never sees half an object and a failed upload leaves nothing behind.
 *
 * `body` is piped rather than handed to `pipeline`: when the limit trips, the rest of the request
 * is drained instead of destroyed, so the caller can still answer 413 on the same connection.
 */
export async function writeObjectAtomically(
  body: Readable,
  target: string,
  partialDir: string,
  limits: AtomicWriteLimits,
): Promise<WrittenObject> {
  const tmp = join(partialDir, `${randomBytes(12).toString("hex")}.part`);
  const md5 = createHash("md5");
  const cap = Math.min(limits.maxBytes, limits.exactBytes ?? Number.POSITIVE_INFINITY);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > cap) done(new ApiError("E_PAYLOAD_TOO_LARGE", `object larger than ${cap} bytes`));
      else {
        md5.update(chunk);
        done(null, chunk);
      }
    },
  });
  const source = new PassThrough();
  const interrupted = () => {
    if (!body.readableEnded) source.destroy(new ApiError("E_BAD_REQUEST", "upload interrupted"));
  };
  body.on("error", interrupted);
  body.on("close", interrupted);
  body.pipe(source);
  try {
    await pipeline(source, counter, createWriteStream(tmp, { flags: "wx", mode: 0o600 }));
    if (limits.exactBytes !== undefined && size !== limits.exactBytes) {
      throw new ApiError("E_BAD_REQUEST", `expected ${limits.exactBytes} bytes, received ${size}`);
    }
    await fsyncPath(tmp);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(tmp, target);
    // The rename is only durable once the directory entry is on disk too.
    await fsyncPath(dirname(target));
    return { sizeBytes: size, etag: `"${md5.digest("hex")}"` };
  } catch (err) {
    body.unpipe(source);
    body.resume();
    await rm(tmp, { force: true });
    throw err;
  } finally {
    body.off("error", interrupted);
    body.off("close", interrupted);
  }
}
