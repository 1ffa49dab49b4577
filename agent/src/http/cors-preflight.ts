import { type RequestHandler, Router } from "express";

/**
 * CORS for WebRTC HTTP endpoints (WHEP, WHIP), mounted in FRONT of the auth gate: a preflight
 * carries no token, and a standard player or publisher on another origin must read `Location`
 * (DESIGN §8). Safe with `*`: the bearer token is the credential and no cookie is ever sent.
 */
export function corsPreflightRoutes(paths: string[], methods: readonly string[]): Router {
  const cors: RequestHandler = (req, res, next) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Expose-Headers", "Location");
    if (req.method !== "OPTIONS") {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Methods", [...methods, "OPTIONS"].join(", "));
    res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.setHeader("Access-Control-Max-Age", "600");
    res.status(204).end();
  };
  return Router().use(paths, cors);
}
