import type { RequestHandler } from "express";

/**
 * Headers sent on every response. This service answers JSON, so the defaults forbid everything a
 * browser could do with a response: no scripts, frames, plugins, or sniffing a JSON body as HTML.
 * A route serving a page (the viewer) sets its own, looser Content-Security-Policy.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  // Responses carry account and device data; no shared cache or browser history keeps them.
  "Cache-Control": "no-store",
};

/** HSTS only makes sense when the public URL is HTTPS (RFC 6797 §7.2: ignored over plain HTTP). */
export function hstsHeader(publicUrl: string): string | undefined {
  return publicUrl.startsWith("https:") ? "max-age=31536000; includeSubDomains" : undefined;
}

/** Set {@link SECURITY_HEADERS} (and HSTS for an HTTPS public URL) on every response. */
export function securityHeaders(publicUrl: string): RequestHandler {
  const headers = { ...SECURITY_HEADERS };
  const hsts = hstsHeader(publicUrl);
  if (hsts) headers["Strict-Transport-Security"] = hsts;
  return (_req, res, next) => {
    res.removeHeader("X-Powered-By");
    res.set(headers);
    next();
  };
}
