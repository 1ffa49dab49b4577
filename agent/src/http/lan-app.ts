import type { PairingSession } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import express, { type Express, Router } from "express";
import { authGate, type TokenVerifier } from "./auth-gate.js";
import { errorHandler, notFound } from "./error-handler.js";
import { healthRoute } from "./health.js";
import { pairPageRoute } from "./pair-page.js";
import { securityHeaders } from "./security-headers.js";

export interface LanAppDeps {
  version: string;
  uptimeS: () => number;
  /** Checks bearer tokens for every route except /health. */
  verifyToken: TokenVerifier;
  log: Pick<Logger, "error" | "warn">;
  /** Routes that need a token (events, clips, live…); mounted behind the gate. */
  routes?: Router;
  /**
   * Routes served without a token: the live page and its script (static, secret-free) and the
   * local pairing claim (the PIN is its credential, rate-limited per address).
   */
  publicRoutes?: Router;
  /** The pairing manager, for the `/pair` page; absent when the cloud is disabled. */
  pairing?: { current(): PairingSession | null };
}

/**
 * The LAN server's Express app; does not listen (tests and {@link LanServer} do). Order matters:
 * /health and /pair are the only routes in front of the auth gate, so a route added later is
 * protected by default instead of by remembering to. /pair is open on purpose: LAN proximity is the
 * trust boundary of pairing (see pair-page.ts).
 */
export function createLanApp(deps: LanAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(securityHeaders());

  app.get("/health", healthRoute(deps));
  app.get("/pair", pairPageRoute({ pairing: deps.pairing }));
  if (deps.publicRoutes) app.use(deps.publicRoutes);

  app.use(authGate(deps.verifyToken));
  app.use(deps.routes ?? Router());

  app.use(notFound());
  app.use(errorHandler(deps.log));
  return app;
}
