import { performance } from "node:perf_hooks";
import type { Request, RequestHandler } from "express";
import type { RequestLogRecord } from "./request-log-writer.js";

/** Longest User-Agent kept. */
export const USER_AGENT_MAX = 256;

/** Route of a request no route matched: its raw path is not stored (it may carry ids or tokens). */
export const UNMATCHED_ROUTE = "(unmatched)";

export interface RequestLogMiddlewareOptions {
  now?: () => number;
  /** Requests not worth a row; default: the health checks a load balancer polls. */
  skip?: (req: Request) => boolean;
}

const defaultSkip = (req: Request) => req.path === "/health" || req.path.startsWith("/api/health/");

/**
 * Records every request into `record` when its response ends (or the client goes away): method,
 * the matched route *pattern* (`/api/tickets/:id`, never the raw path or query string, which can
 * carry ids, tokens and one-time codes), status, duration, the authenticated caller, IP and a
 * truncated User-Agent. Mount it before the routes; `record` must not block (RequestLogWriter).
 */
export function requestLogMiddleware(
  record: (r: RequestLogRecord) => void,
  opts: RequestLogMiddlewareOptions = {},
): RequestHandler {
  const now = opts.now ?? Date.now;
  const skip = opts.skip ?? defaultSkip;
  return (req, res, next) => {
    if (skip(req)) {
      next();
      return;
    }
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const ua = req.headers["user-agent"];
      record({
        createdAt: now(),
        method: req.method,
        route: routePattern(req),
        // A client that left before the headers went out saw no status at all.
        status: res.headersSent ? res.statusCode : 0,
        durationMs: Math.max(0, Math.round(performance.now() - started)),
        userId: req.principal?.userId ?? null,
        apiKeyId: req.principal?.apiKeyId ?? null,
        ip: req.ip ?? null,
        userAgent: typeof ua === "string" && ua !== "" ? ua.slice(0, USER_AGENT_MAX) : null,
        requestId: typeof req.id === "string" ? req.id : null,
      });
    };
    res.once("finish", finish);
    res.once("close", finish);
    next();
  };
}

/** The pattern of the route that handled `req` (express keeps `req.route` after dispatch). */
export function routePattern(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route || route.path === undefined) return UNMATCHED_ROUTE;
  return `${req.baseUrl}${String(route.path)}`;
}
