import { ApiError } from "@homecam/shared";
import express, { type RequestHandler } from "express";

/**
 * JSON body handling for API routes: a request that carries a body must say `application/json`
 * (415 otherwise: express.json would silently leave the body unparsed and the route would answer
 * 400 for the wrong reason), and the body is limited to `limitKB`. Parser failures (too large,
 * malformed) reach the error handler, which maps them with express-errors.ts.
 */
export function jsonBody(limitKB: number): RequestHandler[] {
  return [requireJson, express.json({ limit: limitKB * 1024 })];
}

/**
 * Routes that read a body of another type themselves, after authorizing the caller and with their
 * own limit: WHEP's SDP offers (cloud/src/live/whep-routes.ts). Paths are relative to `/api`.
 */
const OWN_BODY_ROUTES: readonly { path: RegExp; type: string }[] = [
  { path: /^\/cameras\/[^/]+\/whep$/, type: "application/sdp" },
];

const requireJson: RequestHandler = (req, _res, next) => {
  if (hasBody(req.headers) && !req.is("application/json")) {
    if (OWN_BODY_ROUTES.some((r) => r.path.test(req.path) && req.is(r.type))) {
      next();
      return;
    }
    next(new ApiError("E_UNSUPPORTED_MEDIA_TYPE", "request body must be application/json"));
    return;
  }
  next();
};

// Same test as type-is's hasBody (RFC 9112 §6.3): a body exists when Transfer-Encoding is present
// or Content-Length is a number other than 0.
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headers["content-length"];
  return typeof length === "string" && length !== "0" && !Number.isNaN(Number(length));
}
