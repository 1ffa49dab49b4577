import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { ApiError, CodedError } from "@homecam/shared";
import { type Clock, systemClock } from "../security/clock.js";
import { keysDir, readOrCreateSecretFile } from "../security/secret-files.js";
import { type WrittenObject, writeObjectAtomically } from "./atomic-write.js";
import { type FsUrlClaims, signFsUrl, verifyFsUrl } from "./fs-url-signature.js";
import { parseObjectKey, probeObjectKey } from "./object-key.js";
import type {
  ObjectInfo,
  PresignedGet,
  PresignedPut,
  PresignGetOptions,
  PresignPutOptions,
  StorageDriver,
} from "./storage-driver.js";

/** Where the cloud serves fs objects: `GET|PUT /media/fs/<key>?exp=…&sig=…`. */
export const FS_MEDIA_PATH = "/media/fs";

/** Largest object the fs driver accepts, whatever a URL says (a clip is far smaller). */
export const FS_MAX_OBJECT_BYTES = 512 * 1024 * 1024;

/** Download names: plain characters only, so the Content-Disposition header needs no escaping. */
const DOWNLOAD_NAME_RE = /^[A-Za-z0-9._ -]{1,128}$/;

export interface FsDriverOptions {
  /** The cloud's state directory: objects in `objects/`, the URL key in `keys/`. */
  stateDir: string;
  /** Base of the URLs handed out (`http.publicUrl`). */
  publicUrl: string;
  clock?: Clock;
  /** Hard size cap; {@link FS_MAX_OBJECT_BYTES} unless told. */
  maxObjectBytes?: number;
}

/** The query of an fs media URL, as the routes received it. */
export interface FsUrlQuery {
  exp: number;
  sig: string;
  len?: number | undefined;
  name?: string | undefined;
}

/**
 * The embedded storage driver: objects are files under `<stateDir>/objects`, and presigned URLs
 * point at this cloud's own {@link FS_MEDIA_PATH} routes, signed with HMAC-SHA256 under a 32-byte
 * key kept in `<stateDir>/keys/media-url-hmac.key`. Build it with {@link createFsDriver}.
 */
export class FsStorageDriver implements StorageDriver {
  readonly kind = "fs" as const;
  readonly multipart = false as const;
  readonly root: string;
  readonly maxObjectBytes: number;
  private readonly partialDir: string;
  private readonly base: string;
  private readonly clock: Clock;

  constructor(
    private readonly secret: Buffer,
    opts: FsDriverOptions,
  ) {
    this.root = resolve(opts.stateDir, "objects");
    // Beside `objects/`, not inside it: no key can name a half-written upload.
    this.partialDir = resolve(opts.stateDir, "objects-partial");
    this.base = `${opts.publicUrl.replace(/\/+$/, "")}${FS_MEDIA_PATH}/`;
    this.clock = opts.clock ?? systemClock;
    this.maxObjectBytes = opts.maxObjectBytes ?? FS_MAX_OBJECT_BYTES;
  }

  /** Create the directories (mode 0700). */
  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(this.partialDir, { recursive: true, mode: 0o700 });
  }

  /**
   * The file of `key`. The key is validated, and the resolved path must still lie under the
   * root: a second line of defence should the key rules ever loosen.
   */
  objectPath(key: string): string {
    const path = resolve(this.root, parseObjectKey(key));
    if (!path.startsWith(this.root + sep)) throw new ApiError("E_VALIDATION", "invalid object key");
    return path;
  }

  async presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut> {
    parseObjectKey(key);
    const len = opts.contentLength;
    if (len !== undefined && (!Number.isSafeInteger(len) || len < 0 || len > this.maxObjectBytes)) {
      throw new ApiError("E_PAYLOAD_TOO_LARGE", `objects are limited to ${this.maxObjectBytes} bytes`);
    }
    const { url, expiresAt } = this.sign({
      method: "PUT",
      key,
      exp: this.expiry(opts.expiresInS),
      contentLength: len,
    });
    return { url, method: "PUT", headers: { "Content-Type": opts.contentType }, expiresAt };
  }

  async presignGet(key: string, opts: PresignGetOptions): Promise<PresignedGet> {
    parseObjectKey(key);
    const name = opts.downloadName;
    if (name !== undefined && !DOWNLOAD_NAME_RE.test(name))
      throw new ApiError("E_VALIDATION", "invalid download name");
    return this.sign({ method: "GET", key, exp: this.expiry(opts.expiresInS), downloadName: name });
  }

  /**
   * True when `query` is a valid, unexpired signature for `method` on `key`. HEAD is checked as
   * GET (what a browser sends before or instead of downloading).
   */
  verify(method: "GET" | "PUT", key: string, query: FsUrlQuery): boolean {
    const claims: FsUrlClaims = {
      method,
      key,
      exp: query.exp,
      contentLength: query.len,
      downloadName: query.name,
    };
    if (!verifyFsUrl(this.secret, claims, query.sig)) return false;
    return this.clock.now() < query.exp * 1000;
  }

  /** Seconds a verified URL with expiry `exp` stays valid (for Cache-Control). */
  remainingS(exp: number): number {
    return Math.max(0, Math.floor((exp * 1000 - this.clock.now()) / 1000));
  }

  /** Stream an upload into place (see {@link writeObjectAtomically}). */
  receive(key: string, body: Readable, exactBytes?: number): Promise<WrittenObject> {
    return writeObjectAtomically(body, this.objectPath(key), this.partialDir, {
      maxBytes: this.maxObjectBytes,
      exactBytes,
    });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const st = await stat(this.objectPath(key));
      return st.isFile() ? { sizeBytes: st.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new ApiError("E_STORAGE_ERROR", "storage head failed", undefined, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.objectPath(key), { force: true });
  }

  async putTest(): Promise<void> {
    const key = probeObjectKey(randomBytes(8).toString("hex"));
    const probe = randomBytes(32);
    try {
      await this.receive(key, Readable.from([probe]), probe.length);
      const back = await readFile(this.objectPath(key));
      if (!back.equals(probe)) throw new Error("probe object read back differently");
    } catch (err) {
      throw new ApiError("E_STORAGE_ERROR", "storage test upload failed", undefined, { cause: err });
    } finally {
      await rm(this.objectPath(key), { force: true });
    }
  }

  private expiry(expiresInS: number): number {
    if (!Number.isInteger(expiresInS) || expiresInS < 1)
      throw new RangeError("expiresInS must be a positive integer");
    return Math.floor(this.clock.now() / 1000) + expiresInS;
  }

  private sign(claims: FsUrlClaims): { url: string; expiresAt: number } {
    const q = new URLSearchParams({ exp: String(claims.exp) });
    if (claims.contentLength !== undefined) q.set("len", String(claims.contentLength));
    if (claims.downloadName !== undefined) q.set("name", claims.downloadName);
    q.set("sig", signFsUrl(this.secret, claims));
    return { url: `${this.base}${claims.key}?${q}`, expiresAt: claims.exp * 1000 };
  }
}

/** Load (or create, 32 random bytes) the URL-signing key and build the fs driver. */
export async function createFsDriver(opts: FsDriverOptions): Promise<FsStorageDriver> {
  const file = join(await keysDir(opts.stateDir), "media-url-hmac.key");
  const encoded = await readOrCreateSecretFile(file, async () => randomBytes(32).toString("base64url"));
  const secret = Buffer.from(encoded.trim(), "base64url");
  if (secret.length !== 32)
    throw new CodedError("HC_ERR_STORAGE_URL_KEY", `${file} does not hold a 32-byte key`);
  const driver = new FsStorageDriver(secret, opts);
  await driver.init();
  return driver;
}
