import { performance } from "node:perf_hooks";
import { ApiError } from "@homecam/shared";
import { Router } from "express";
import { sql } from "kysely";
import { countInstanceMeta } from "../../db/instance-meta.js";
import type { DatabaseHandle } from "../../db/open-database.js";
import { sendOk } from "../respond.js";

export interface HealthDeps {
  db: DatabaseHandle;
  version: string;
}

/** `GET /health` (the process is up) and `GET /api/health/db` (the database answers). */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();

  // Liveness only: no database access, so a load balancer does not cycle healthy instances
  // during a database outage that restarting would not fix.
  router.get("/health", (_req, res) => {
    sendOk(res, { status: "ok", version: deps.version, uptimeS: Math.floor(process.uptime()) });
  });

  // Runs real queries: `select 1` proves a connection, reading instance_meta proves the schema
  // is migrated and readable.
  router.get("/api/health/db", async (_req, res) => {
    const started = performance.now();
    try {
      await sql`select 1`.execute(deps.db.db);
      await countInstanceMeta(deps.db.db);
    } catch (cause) {
      throw new ApiError("E_DATABASE_ERROR", "database unavailable", undefined, { cause });
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    sendOk(res, { status: "ok", dialect: deps.db.dialect, latencyMs });
  });

  return router;
}
