import type { Request, Response } from "express";
import { RateLimitedError } from "./auth-limits.js";
import type { RequestMeta } from "./context.js";

/** Rate-limit keys and session label of a request. */
export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip ?? req.socket.remoteAddress ?? "unknown", userAgent: req.get("user-agent") ?? null };
}

/** Run `work`; a 429 gets its `Retry-After` header (RFC 9110 §10.2.3) before the error handler answers. */
export async function withRetryAfter<T>(res: Response, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    throw err;
  }
}
