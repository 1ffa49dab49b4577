import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import {
  requestLogMiddleware,
  UNMATCHED_ROUTE,
  USER_AGENT_MAX,
} from "../../../src/request-log/request-log-middleware.js";
import type { RequestLogRecord } from "../../../src/request-log/request-log-writer.js";

// Plain express on port 0, no database: what the middleware extracts from a request.
describe("requestLogMiddleware", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function start(records: RequestLogRecord[]): Promise<string> {
    const app = express();
    app.use(requestLogMiddleware((r) => records.push(r), { now: () => 1234 }));
    const nested = express.Router();
    nested.get("/things/:thingId", (_req, res) => {
      res.status(204).end();
    });
    app.use("/api/nested", nested);
    app.get("/api/tickets/:id", (req, res) => {
      req.principal = { userId: "u1", role: "user", via: "apikey", apiKeyId: "k1" };
      res.json({ ok: true });
    });
    app.get("/health", (_req, res) => res.json({ ok: true }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function settled(records: RequestLogRecord[], n: number) {
    for (let i = 0; i < 50 && records.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    return records;
  }

  it("records the route pattern, never the raw path or query, with the caller", async () => {
    const records: RequestLogRecord[] = [];
    const url = await start(records);
    await fetch(`${url}/api/tickets/SECRETID?token=SECRETTOKEN`, {
      headers: { "user-agent": "x".repeat(1000) },
    });
    await fetch(`${url}/api/nested/things/42`);
    await fetch(`${url}/nope/SECRETPATH?code=123456`);
    await fetch(`${url}/health`);
    await settled(records, 3);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      createdAt: 1234,
      method: "GET",
      route: "/api/tickets/:id",
      status: 200,
      userId: "u1",
      apiKeyId: "k1",
      ip: "127.0.0.1",
    });
    expect(records[0]!.userAgent).toHaveLength(USER_AGENT_MAX);
    expect(records[1]).toMatchObject({ route: "/api/nested/things/:thingId", status: 204, userId: null });
    expect(records[2]).toMatchObject({ route: UNMATCHED_ROUTE, status: 404 });
    expect(JSON.stringify(records)).not.toMatch(/SECRET|123456/);
  });
});
