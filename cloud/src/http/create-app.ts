import type { CloudConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import express, { type Express, type RequestHandler, type Router } from "express";
import { ApiRegistry } from "../api/api-route.js";
import { buildOpenApi } from "../api/openapi.js";
import type { Authenticator, DeviceAuthenticator } from "../api/principal.js";
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
  /** Resolves the caller of an /api route; without one every protected route answers 401. */
  authenticate?: Authenticator;
  /** Resolves a device token (routes with access `device` / `user-or-device`). */
  authenticateDevice?: DeviceAuthenticator;
  /** Feature modules: each registers its typed routes on the shared registry and router. */
  apiModules?: readonly ApiModule[];
  /** Records every request (request-log/requestLogMiddleware); runs before every route. */
  requestLog?: RequestHandler | undefined;
}

/** A feature area's routes (accounts, settings, tickets…), registered through the typed registry. */
export type ApiModule = (registry: ApiRegistry, router: Router) => void;

/** The cloud's HTTP application. It does not listen: main.ts (or a test) does. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // req.ip (access log, rate limits) only honours X-Forwarded-For when the operator says a proxy
  // they run is in front; otherwise any client could choose its own address.
  app.set("trust proxy", deps.config.http.trustProxy);

  app.use(requestContext(deps.log));
  if (deps.requestLog) app.use(deps.requestLog);
  app.use(securityHeaders(deps.config.http.publicUrl));
  app.use("/api", jsonBody(deps.config.http.bodyLimitKB));

  app.use(healthRoutes({ db: deps.db, version: deps.version }));

  const registry = new ApiRegistry(deps.authenticate ?? (async () => null), deps.authenticateDevice);
  const api = express.Router();
  for (const mount of deps.apiModules ?? []) mount(registry, api);
  app.use(api);
  // Generated on first request, after every module has registered its routes.
  let openApi: unknown;
  app.get("/api/openapi.json", (_req, res) => {
    openApi ??= buildOpenApi(registry.routes, {
      version: deps.version,
      serverUrl: deps.config.http.publicUrl,
    });
    res.json(openApi);
  });
  app.locals.registry = registry;
  if (deps.extraRoutes) app.use(deps.extraRoutes);

  app.use(notFound());
  app.use(errorHandler());
  return app;
}
