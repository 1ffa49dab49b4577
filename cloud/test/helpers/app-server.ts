import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CloudConfig, type CloudConfigInput, cloudConfigSchema } from "@homecam/shared";
import type { Router } from "express";
import { migrateToLatest } from "../../src/db/migrate.js";
import type { DatabaseHandle } from "../../src/db/open-database.js";
import { createApp } from "../../src/http/create-app.js";
import type { TestDatabase } from "./databases.js";
import { type CapturedLog, captureLogger } from "./logs.js";

/** createApp over a migrated test database, listening on port 0. */
export interface TestApp {
  url: string;
  db: DatabaseHandle;
  config: CloudConfig;
  logs: CapturedLog["lines"];
  close(): Promise<void>;
}

export async function startTestApp(
  database: TestDatabase,
  opts: { http?: CloudConfigInput["http"]; extraRoutes?: Router } = {},
): Promise<TestApp> {
  const config = cloudConfigSchema.parse({
    stateDir: database.stateDir,
    database: { url: database.url },
    http: { port: 0, ...opts.http },
  });
  const { log, lines } = captureLogger();
  const db = database.open();
  await migrateToLatest(db, log);
  const app = createApp({ config, log, db, version: "9.9.9-test", extraRoutes: opts.extraRoutes });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    config,
    logs: lines,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
