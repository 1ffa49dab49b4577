import { Agent, request as httpRequest } from "node:http";
import { cloudConfigSchema } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCloud } from "../../src/main.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../helpers/databases.js";
import { silentLogger } from "../helpers/logs.js";

describe.each(TEST_DIALECTS)("startCloud on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database?.dispose();
  });

  const configFor = (port = 0) =>
    cloudConfigSchema.parse({
      stateDir: database.stateDir,
      database: { url: database.url },
      http: { host: "127.0.0.1", port },
      // Never the standard MQTT port in a test.
      mqtt: { host: "127.0.0.1", port: 0 },
    });

  it("migrates, listens on the bound port and serves the health routes", async () => {
    const cloud = await startCloud({ config: configFor(), log: silentLogger() });
    try {
      expect(cloud.port).toBeGreaterThan(0);
      expect(cloud.url).toBe(`http://127.0.0.1:${cloud.port}`);
      expect(cloud.dialect).toBe(dialect);
      const res = await fetch(`${cloud.url}/api/health/db`);
      expect(await res.json()).toMatchObject({ ok: true, data: { status: "ok", dialect } });
    } finally {
      await cloud.stop();
    }
  });

  it("stops promptly with an idle keep-alive connection open, and stop() is idempotent", async () => {
    const cloud = await startCloud({ config: configFor(), log: silentLogger(), stopGraceMs: 30_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest(`${cloud.url}/health`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
      const started = Date.now();
      await Promise.all([cloud.stop(), cloud.stop()]);
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(fetch(`${cloud.url}/health`)).rejects.toThrow();
    } finally {
      agent.destroy();
      await cloud.stop();
    }
  });

  it("fails to start on a port in use, and releases the database", async () => {
    const first = await startCloud({ config: configFor(), log: silentLogger() });
    try {
      await expect(startCloud({ config: configFor(first.port), log: silentLogger() })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await first.stop();
    }
  });
});
