import { performance } from "node:perf_hooks";
import type { Logger } from "@homecam/shared/node";
import type { RequestHandler } from "express";
import { requestIdFrom } from "./request-id.js";

declare global {
  // Express's documented extension point for typed request properties.
  namespace Express {
    interface Request {
      /** Id of this request, echoed in `X-Request-Id` and on every log line. */
      id: string;
      /** Logger bound to this request's id. */
      log: Logger;
    }
  }
}

/**
 * Give every request an id and a child logger, echo the id, and write one access-log line when
 * the response is finished (or the client went away first).
 */
export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    req.id = requestIdFrom(req.headers["x-request-id"]);
    req.log = log.child({ reqId: req.id });
    res.setHeader("X-Request-Id", req.id);
    let logged = false;
    const accessLog = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const line = {
        method: req.method,
        // Path only: query strings can carry tokens and one-time codes; a pairing id in the path
        // (`/api/qr/<id>/info`) is a bearer secret too and is masked.
        path: maskPathSecrets(req.path),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        bytes: Number(res.getHeader("content-length") ?? 0),
        ip: req.ip,
        ...(aborted ? { aborted: true } : {}),
      };
      if (res.statusCode >= 500) req.log.warn(line, "request");
      else req.log.info(line, "request");
    };
    res.once("finish", () => accessLog(false));
    res.once("close", () => accessLog(!res.writableFinished));
    next();
  };
}

/** Masks the pairing id of `/api/qr/<id>/info` (it alone shows what would be paired). */
export function maskPathSecrets(path: string): string {
  return path.replace(/^\/api\/qr\/(?!generate$|validate$)[^/]+/, "/api/qr/***");
}
