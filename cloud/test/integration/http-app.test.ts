import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendOk } from "../../src/http/respond.js";
import { SECURITY_HEADERS } from "../../src/http/security-headers.js";
import { startTestApp, type TestApp } from "../helpers/app-server.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../helpers/databases.js";

const SECRET = "db password is hunter2 at /srv/secret/path";

function testRoutes(): express.Router {
  const r = express.Router();
  r.post("/api/test/echo", (req, res) => sendOk(res, { body: req.body as unknown }));
  r.get("/api/test/boom", () => {
    throw new Error(SECRET);
  });
  r.get("/api/test/boom-async", async () => {
    await Promise.resolve();
    throw new TypeError(SECRET);
  });
  return r;
}

describe.each(TEST_DIALECTS)("http app on %s", (dialect) => {
  let database: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startTestApp(database, { http: { bodyLimitKB: 1 }, extraRoutes: testRoutes() });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const post = (path: string, body: string, contentType = "application/json") =>
    fetch(app.url + path, { method: "POST", headers: { "content-type": contentType }, body });

  it("GET /health answers status, version and uptime", async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      ok: true,
      data: { status: "ok", version: "9.9.9-test", uptimeS: expect.any(Number) },
    });
  });

  it("GET /api/health/db runs real queries and names the dialect", async () => {
    const res = await fetch(`${app.url}/api/health/db`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      data: { status: "ok", dialect, latencyMs: expect.any(Number) },
    });
  });

  it("answers unknown routes with the 404 envelope", async () => {
    const res = await fetch(`${app.url}/api/nope?token=abc`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "E_NOT_FOUND", message: "no route for GET /api/nope" },
    });
  });

  it("parses a JSON body", async () => {
    const res = await post("/api/test/echo", JSON.stringify({ a: 1 }));
    expect(await res.json()).toEqual({ ok: true, data: { body: { a: 1 } } });
  });

  it("refuses malformed JSON with 400 E_BAD_REQUEST", async () => {
    const res = await post("/api/test/echo", '{"a":');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_BAD_REQUEST");
  });

  it("refuses a body over the limit with 413 E_PAYLOAD_TOO_LARGE", async () => {
    const res = await post("/api/test/echo", JSON.stringify({ big: "x".repeat(4096) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_PAYLOAD_TOO_LARGE");
  });

  it("refuses a non-JSON body on an API route with 415 E_UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await post("/api/test/echo", "a=1", "application/x-www-form-urlencoded");
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_UNSUPPORTED_MEDIA_TYPE");
  });

  it.each(["/api/test/boom", "/api/test/boom-async"])(
    "answers a thrown error (%s) with 500 E_INTERNAL, logging the stack but never sending it",
    async (path) => {
      const res = await fetch(app.url + path, { headers: { "x-request-id": "trace-500" } });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        ok: false,
        error: {
          code: "E_INTERNAL",
          message: "internal error (request id trace-500)",
          details: { requestId: "trace-500" },
        },
      });
      expect(text).not.toContain("hunter2");
      expect(text).not.toMatch(/\bat \S+:\d+/); // no stack frames
      const logged = app.logs.find((l) => l.reqId === "trace-500" && l.msg === "unhandled error");
      expect((logged?.err as { stack?: string } | undefined)?.stack).toContain("hunter2");
    },
  );

  it("echoes a sane X-Request-Id and replaces an unsafe one", async () => {
    const kept = await fetch(`${app.url}/health`, { headers: { "x-request-id": "abc-123.def" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123.def");
    const replaced = await fetch(`${app.url}/health`, { headers: { "x-request-id": "evil id\twith tab" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${app.url}/health`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes one access-log line per request, without the query string", async () => {
    await fetch(`${app.url}/health?secret=shh`, { headers: { "x-request-id": "access-1" } });
    await expect
      .poll(() => app.logs.filter((l) => l.reqId === "access-1" && l.msg === "request"))
      .toHaveLength(1);
    const line = app.logs.find((l) => l.reqId === "access-1" && l.msg === "request");
    expect(line).toMatchObject({ method: "GET", path: "/health", status: 200 });
    expect(JSON.stringify(line)).not.toContain("shh");
  });

  it("sends the security headers and no X-Powered-By, on success and on errors", async () => {
    for (const path of ["/health", "/api/nope"]) {
      const res = await fetch(app.url + path);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(res.headers.get(name), name).toBe(value);
      }
      expect(res.headers.get("x-powered-by")).toBeNull();
      expect(res.headers.get("strict-transport-security")).toBeNull(); // http public URL
    }
  });
});

describe.each(TEST_DIALECTS)("http app on %s, database gone", (dialect) => {
  it("GET /api/health/db answers 503 E_DATABASE_ERROR once the database is closed", async () => {
    const database = await createTestDatabase(dialect);
    const app = await startTestApp(database);
    try {
      expect((await fetch(`${app.url}/api/health/db`)).status).toBe(200);
      await app.db.close();
      const res = await fetch(`${app.url}/api/health/db`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        ok: false,
        error: { code: "E_DATABASE_ERROR", message: "database unavailable" },
      });
    } finally {
      await app.close();
      await database.dispose();
    }
  });
});
