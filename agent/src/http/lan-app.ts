import type { Logger } from "@homecam/shared/node";
import express, { type Express, Router } from "express";
import { authGate, type TokenVerifier } from "./auth-gate.js";
import { errorHandler, notFound } from "./error-handler.js";
import { healthRoute } from "./health.js";
import { securityHeaders } from "./security-headers.js";

export interface LanAppDeps {
  version: string;
  uptimeS: () => number;
  /** Checks bearer tokens for every route except /health. */
  verifyToken: TokenVerifier;
  log: Pick<Logger, "error" | "warn">;
  /** Routes that need a token (events, clips, live…); mounted behind the gate. */
  routes?: Router;
}

/**
 * The LAN server's Express app; does not listen (tests and {@link LanServer} do). Order matters:
 * /health is the only route in front of the auth gate, so a route added later is protected by
 * default instead of by remembering to.
 */
export function createLanApp(deps: LanAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(securityHeaders());

  app.get("/health", healthRoute(deps));

  app.use(authGate(deps.verifyToken));
  app.use(deps.routes ?? Router());

  app.use(notFound());
  app.use(errorHandler(deps.log));
  return app;
}
