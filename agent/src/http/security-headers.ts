import type { RequestHandler } from "express";

// The LAN viewer is served from the agent itself, so everything it loads is same-origin; media
// comes from MediaSource (blob:) and snapshots may be data: URLs. Nothing may frame the UI
// (clickjacking on a camera's controls), and no URL leaks to other sites through Referer.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers sent on every response, errors included. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    next();
  };
}
