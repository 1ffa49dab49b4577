import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogTable } from "../../../src/db/schema.js";
import { UNMATCHED_ROUTE } from "../../../src/request-log/request-log-middleware.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

function row(id: string, createdAt: number, extra: Partial<RequestLogTable> = {}): RequestLogTable {
  return {
    id,
    created_at: createdAt,
    method: "GET",
    route: "/api/x",
    status: 200,
    duration_ms: 1,
    user_id: null,
    api_key_id: null,
    ip: null,
    user_agent: null,
    request_id: null,
    ...extra,
  };
}

describe.each(TEST_DIALECTS)("request log on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let now = 1_800_000_000_000;
  let alice: string;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    // Timers far away: the tests flush explicitly.
    app = await startFeatureApp(database, {
      now: () => now,
      requestLog: { flushIntervalMs: 3_600_000, maxRows: 1000, maxAgeMs: 86_400_000 },
    });
    alice = await app.createUser();
    admin = await app.createUser({ role: "admin" });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  // The middleware records on the response's "finish", which can trail the client's read by a tick.
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    await app.requestLog.flush();
  };
  const rows = async () => {
    await settle();
    return app.db.db.selectFrom("request_log").selectAll().orderBy("created_at").orderBy("id").execute();
  };
  const clear = async () => {
    await settle();
    await app.db.db.deleteFrom("request_log").execute();
  };

  it("records the route pattern, status, caller, IP and a truncated User-Agent — no path ids, query or token", async () => {
    await clear();
    const { key, secret } = await app.keys.create(alice, { name: "k" });
    const ticket = await app.tickets.create(alice, { subject: "s", message: "m" });
    await call(app.url, "GET", `/api/tickets/${ticket.id}?token=SECRET-QUERY-TOKEN`, {
      auth: app.bearer(alice),
      headers: { "user-agent": `agent/${"x".repeat(1000)}` },
    });
    await call(app.url, "GET", "/api/settings?code=123456", { auth: `Bearer ${secret}` });
    await call(app.url, "GET", "/api/settings", { auth: "Bearer forged-token-value" });
    await call(app.url, "GET", `/api/no/such/${ticket.id}?token=SECRET-QUERY-TOKEN`);
    await fetch(`${app.url}/health`);
    const logged = await rows();
    expect(logged.map((r) => [r.method, r.route, r.status])).toEqual([
      ["GET", "/api/tickets/:id", 200],
      ["GET", "/api/settings", 200],
      ["GET", "/api/settings", 401],
      ["GET", UNMATCHED_ROUTE, 404],
    ]);
    expect(logged[0]).toMatchObject({ user_id: alice, api_key_id: null, ip: "127.0.0.1", created_at: now });
    expect(logged[0]!.user_agent).toHaveLength(256);
    expect(logged[0]!.request_id).toEqual(expect.any(String));
    expect(logged[1]).toMatchObject({ user_id: alice, api_key_id: key.id });
    expect(logged[2]).toMatchObject({ user_id: null, api_key_id: null });
    const text = JSON.stringify(logged);
    for (const secretish of [ticket.id, "SECRET", "123456", secret, "forged-token-value", "test."]) {
      expect(text).not.toContain(secretish);
    }
    for (const r of logged) expect(r.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("GET /api/admin/logs: administrators only, filtered by time, status and user, paginated", async () => {
    await clear();
    expect((await call(app.url, "GET", "/api/admin/logs")).status).toBe(401);
    expect((await call(app.url, "GET", "/api/admin/logs", { auth: app.bearer(alice) })).status).toBe(403);
    await clear();
    const t0 = now;
    for (let i = 0; i < 3; i++) {
      now = t0 + i * 1000;
      await call(app.url, "GET", "/api/settings", { auth: app.bearer(alice) });
    }
    now = t0 + 5000;
    await call(app.url, "GET", "/api/settings");
    await settle();
    now = t0 + 10_000;
    const get = async (qs: string) => {
      const r = await call(app.url, "GET", `/api/admin/logs${qs}`, { auth: app.bearer(admin) });
      expect(r.status, qs).toBe(200);
      return r.body.data as {
        entries: { createdAt: number; status: number; userId: string | null }[];
        nextCursor: string | null;
      };
    };
    const all = await get("");
    expect(all.entries.map((e) => e.createdAt)).toEqual([t0 + 5000, t0 + 2000, t0 + 1000, t0]);
    expect(all.entries[1]).toEqual({
      id: expect.any(String),
      createdAt: t0 + 2000,
      method: "GET",
      route: "/api/settings",
      status: 200,
      durationMs: expect.any(Number),
      userId: alice,
      apiKeyId: null,
      ip: "127.0.0.1",
      userAgent: expect.any(String),
      requestId: expect.any(String),
    });
    expect((await get("?status=401")).entries.map((e) => e.createdAt)).toEqual([t0 + 5000]);
    expect((await get(`?userId=${alice}`)).entries).toHaveLength(3);
    expect((await get(`?from=${t0 + 1000}&to=${t0 + 5000}`)).entries.map((e) => e.createdAt)).toEqual([
      t0 + 2000,
      t0 + 1000,
    ]);
    const page1 = await get("?limit=3");
    expect(page1.entries).toHaveLength(3);
    const page2 = await get(`?limit=3&cursor=${page1.nextCursor}`);
    expect(page2.entries.map((e) => e.createdAt)).toEqual([t0]);
    expect(page2.nextCursor).toBeNull();
    for (const bad of [
      "?status=99",
      "?status=abc",
      "?from=-1",
      "?limit=0",
      "?userId=a%20b",
      "?cursor=x",
      "?foo=1",
    ]) {
      expect(
        (await call(app.url, "GET", `/api/admin/logs${bad}`, { auth: app.bearer(admin) })).status,
        bad,
      ).toBe(400);
    }
  });

  it("prunes rows older than the maximum age, then beyond the maximum count", async () => {
    await clear();
    const day = 86_400_000;
    const old = Array.from({ length: 5 }, (_, i) => row(`old${i}`, now - day - 1 - i));
    // 1005 recent rows, 3 of them sharing the boundary timestamp.
    const recent = Array.from({ length: 1005 }, (_, i) =>
      row(`r${String(i).padStart(4, "0")}`, now - 1000 + Math.floor(i / 3)),
    );
    for (let i = 0; i < recent.length; i += 200)
      await app.requestLogStore.insertBatch(recent.slice(i, i + 200));
    await app.requestLogStore.insertBatch(old);
    await app.requestLog.prune();
    const left = await app.db.db.selectFrom("request_log").select(["id", "created_at"]).execute();
    expect(left).toHaveLength(1000);
    expect(left.some((r) => r.id.startsWith("old"))).toBe(false);
    // The newest 1000 survive: r0005…r1004.
    const ids = left.map((r) => r.id).sort();
    expect(ids[0]).toBe("r0005");
    expect(ids.at(-1)).toBe("r1004");
  });
});

describe.each(TEST_DIALECTS)("request log with a slow database on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database, {
      requestLog: { batchSize: 1 },
      requestLogSink: (store) => ({
        insertBatch: async (rows) => {
          await gate;
          await store.insertBatch(rows);
        },
        prune: (opts) => store.prune(opts),
      }),
    });
  });
  afterAll(async () => {
    release();
    await app?.close();
    await database?.dispose();
  });

  it("answers requests at full speed while the log's inserts hang", async () => {
    const user = await app.createUser();
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const r = await call(app.url, "GET", "/api/settings", { auth: app.bearer(user) });
      expect(r.status).toBe(200);
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await app.db.db.selectFrom("request_log").selectAll().execute()).toHaveLength(0);
    release();
    await app.requestLog.flush();
    expect(await app.db.db.selectFrom("request_log").selectAll().execute()).toHaveLength(20);
  });
});
