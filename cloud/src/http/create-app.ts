import type { CloudConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import express, { type Express, type Router } from "express";
import type { DatabaseHandle } from "../db/open-database.js";
import { errorHandler } from "./error-handler.js";
import { jsonBody } from "./json-body.js";
import { notFound } from "./not-found.js";
import { requestContext } from "./request-context.js";
import { healthRoutes } from "./routes/health.js";
import { securityHeaders } from "./security-headers.js";

export interface AppDeps {
  config: Readonly<CloudConfig>;
  log: Logger;
  db: DatabaseHandle;
  version: string;
  /** Mounted after the built-in routes, before the 404 handler (tests add failing routes here). */
  extraRoutes?: Router | undefined;
}

/** The cloud's HTTP application. It does not listen: main.ts (or a test) does. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // req.ip (access log, rate limits) only honours X-Forwarded-For when the operator says a proxy
  // they run is in front; otherwise any client could choose its own address.
  app.set("trust proxy", deps.config.http.trustProxy);

  app.use(requestContext(deps.log));
  app.use(securityHeaders(deps.config.http.publicUrl));
  app.use("/api", jsonBody(deps.config.http.bodyLimitKB));

  app.use(healthRoutes({ db: deps.db, version: deps.version }));
  if (deps.extraRoutes) app.use(deps.extraRoutes);

  app.use(notFound());
  app.use(errorHandler());
  return app;
}
