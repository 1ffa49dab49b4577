import { ApiError } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { ApiModule } from "../http/create-app.js";
import { sendFail } from "../http/respond.js";
import { contentTypeForKey } from "./content-type.js";
import { FS_MEDIA_PATH, type FsStorageDriver, type FsUrlQuery } from "./fs-driver.js";

// A URL's query: exactly what the driver signs, nothing more (an extra or repeated parameter is a
// tampered URL). Numbers are decimal strings of bounded length so parsing cannot lose precision.
const querySchema = z.strictObject({
  exp: z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  len: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
  name: z.string().max(128).optional(),
});

const REFUSED = "invalid or expired media URL";

/**
 * The key named by the request path, taken raw (undecoded). Keys never need percent-encoding, so
 * any `%` (an encoded dot or slash, a traversal attempt) is refused before anything is decoded.
 */
function rawKey(req: Request): string | null {
  const raw = req.path.slice(1);
  return raw.includes("%") ? null : raw;
}

function verified(driver: FsStorageDriver, req: Request, method: "GET" | "PUT"): FsUrlQuery | null {
  const q = querySchema.safeParse(req.query);
  if (!q.success) return null;
  const key = rawKey(req);
  return key !== null && driver.verify(method, key, q.data) ? q.data : null;
}

function refuse(res: Response, err: unknown, log: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ApiError) {
    if (err.status >= 500) log.error({ err, code: err.code }, err.message);
    // The rest of an oversized body is not wanted; close instead of reading it for keep-alive.
    if (err.code === "E_PAYLOAD_TOO_LARGE") res.setHeader("Connection", "close");
    sendFail(res, err.code, err.message);
    return;
  }
  log.error({ err }, "fs media request failed");
  sendFail(res, "E_INTERNAL", "internal error");
}

async function serveGet(driver: FsStorageDriver, req: Request, res: Response): Promise<void> {
  const key = rawKey(req);
  if (key === null) throw new ApiError("E_VALIDATION", "invalid object key");
  const path = driver.objectPath(key);
  const q = verified(driver, req, "GET");
  if (!q) throw new ApiError("E_FORBIDDEN", REFUSED);
  if (!(await driver.head(key))) throw new ApiError("E_NOT_FOUND", "no such object");
  res.setHeader("Content-Type", contentTypeForKey(key));
  // The URL is the credential: only the browser that holds it may cache, and not beyond expiry.
  res.setHeader("Cache-Control", `private, max-age=${driver.remainingS(q.exp)}`);
  if (q.name !== undefined) res.setHeader("Content-Disposition", `attachment; filename="${q.name}"`);
  // `send` does Range (206/416), HEAD, ETag and conditional requests; the path is already checked.
  await new Promise<void>((resolve, reject) => {
    res.sendFile(path, { acceptRanges: true, cacheControl: false, dotfiles: "allow" }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

async function servePut(driver: FsStorageDriver, req: Request, res: Response): Promise<void> {
  const key = rawKey(req);
  if (key === null) throw new ApiError("E_VALIDATION", "invalid object key");
  driver.objectPath(key);
  const q = verified(driver, req, "PUT");
  if (!q) throw new ApiError("E_FORBIDDEN", REFUSED);
  const limit = Math.min(q.len ?? driver.maxObjectBytes, driver.maxObjectBytes);
  // Refuse a declared oversize body before reading a byte of it.
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    throw new ApiError("E_PAYLOAD_TOO_LARGE", `object larger than ${limit} bytes`);
  }
  const written = await driver.receive(key, req, q.len);
  res.setHeader("ETag", written.etag);
  res.status(200).end();
}

/**
 * `GET|HEAD|PUT /media/fs/<key>?exp=&[len=|name=]&sig=`: the fs driver's presigned URLs. The
 * signature and expiry are the only authorization (like S3's), checked in constant time against
 * the driver's clock; a bad or expired URL gets 403 with the error envelope, a malformed key 400.
 */
export function fsMediaRouter(driver: FsStorageDriver, log: Logger): Router {
  const router = Router();
  router.use(FS_MEDIA_PATH, (req, res) => {
    const method = req.method;
    const handler = method === "GET" || method === "HEAD" ? serveGet : method === "PUT" ? servePut : null;
    if (!handler) {
      res.setHeader("Allow", "GET, HEAD, PUT");
      sendFail(res, "E_METHOD_NOT_ALLOWED", "use GET, HEAD or PUT");
      return;
    }
    handler(driver, req, res).catch((err: unknown) => {
      const status = err instanceof ApiError ? undefined : (err as { status?: number }).status;
      // `send`'s own refusals: a file deleted after head() is still a 404; an unsatisfiable range
      // (416, Content-Range already set) or a failed precondition (412) are plain HTTP answers.
      if (status === 404) refuse(res, new ApiError("E_NOT_FOUND", "no such object"), log);
      else if ((status === 412 || status === 416) && !res.headersSent) res.status(status).end();
      else refuse(res, err, log);
    });
  });
  return router;
}

/** {@link fsMediaRouter} as a module of the cloud app (plain routes: they answer bytes, not JSON). */
export function fsMediaRoutes(driver: FsStorageDriver, log: Logger): ApiModule {
  return (_registry, router) => {
    router.use(fsMediaRouter(driver, log));
  };
}
