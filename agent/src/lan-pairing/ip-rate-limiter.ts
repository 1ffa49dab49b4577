import { fail } from "@homecam/shared";
import type { RequestHandler } from "express";

export interface IpRateLimitOptions {
  /** Requests one address may make per window. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

/**
 * A fixed-window limit per client address for the routes open without a token. Together with
 * the 5-try burn of a PIN it keeps a LAN guesser slow; in memory, as a restart ends the PIN too.
 */
export function ipRateLimit(opts: IpRateLimitOptions): RequestHandler {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const t = now();
    // Forget old windows as we go, so the map holds only addresses seen in the current window.
    if (windows.size > 1_000)
      for (const [ip, w] of windows) if (t - w.start >= opts.windowMs) windows.delete(ip);
    const ip = req.socket.remoteAddress ?? "unknown";
    let w = windows.get(ip);
    if (!w || t - w.start >= opts.windowMs) {
      w = { start: t, count: 0 };
      windows.set(ip, w);
    }
    w.count += 1;
    if (w.count > opts.limit) {
      res.setHeader("Retry-After", String(Math.ceil((w.start + opts.windowMs - t) / 1000)));
      res.status(429).json(fail("E_RATE_LIMITED", "too many pairing attempts; wait and try again"));
      return;
    }
    next();
  };
}
