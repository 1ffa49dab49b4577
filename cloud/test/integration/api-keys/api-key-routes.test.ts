import { API_KEY_SECRET_RE } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKeySecret } from "../../../src/api-keys/api-key-secret.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

describe.each(TEST_DIALECTS)("API key routes on %s", (dialect) => {
  let database: TestDatabase;
  let app: FeatureApp;
  let now = 1_800_000_000_000;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startFeatureApp(database, { now: () => now });
    alice = await app.createUser();
    bob = await app.createUser();
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const create = (userId: string, body: unknown) =>
    call(app.url, "POST", "/api/api-keys", { auth: app.bearer(userId), body });
  const list = async (userId: string) =>
    (await call(app.url, "GET", "/api/api-keys", { auth: app.bearer(userId) })).body.data.keys as {
      id: string;
      lastUsedAt: number | null;
    }[];
  const useKey = (secret: string) => call(app.url, "GET", "/api/settings", { auth: `Bearer ${secret}` });

  it("refuses anonymous callers with 401 on every route", async () => {
    for (const [method, path] of [
      ["GET", "/api/api-keys"],
      ["POST", "/api/api-keys"],
      ["DELETE", "/api/api-keys"],
      ["DELETE", "/api/api-keys/abc"],
    ] as const) {
      const r = await call(app.url, method, path, { body: method === "GET" ? undefined : { name: "" } });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it("shows the secret once, stores only its hash, and lists the key without it", async () => {
    const r = await create(alice, { name: "Home Assistant" });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatch(/not shown again/);
    const { key, secret } = r.body.data;
    expect(secret).toMatch(API_KEY_SECRET_RE);
    expect(key).toEqual({
      id: expect.any(String),
      name: "Home Assistant",
      prefix: secret.slice(0, 11),
      createdAt: now,
      expiresAt: null,
      lastUsedAt: null,
    });
    const row = await app.db.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(hashApiKeySecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = await call(app.url, "GET", "/api/api-keys", { auth: app.bearer(alice) });
    expect(listed.body.data.keys).toEqual([key]);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(11));
  });

  it("works as a bearer credential with the owner's rights, and records its use (throttled)", async () => {
    const { key, secret } = (await create(alice, { name: "throttle" })).body.data;
    await call(app.url, "PUT", "/api/settings", { auth: app.bearer(alice), body: { storageDays: 9 } });
    const r = await useKey(secret);
    expect(r.status).toBe(200);
    expect(r.body.data.storageDays).toBe(9);
    const lastUsed = () => list(alice).then((keys) => keys.find((k) => k.id === key.id)?.lastUsedAt);
    expect(await lastUsed()).toBe(now);
    const first = now;
    now += 30_000;
    await useKey(secret);
    expect(await lastUsed()).toBe(first);
    now += 31_000;
    await useKey(secret);
    expect(await lastUsed()).toBe(now);
  });

  it("cannot manage keys (account routes) nor reach admin routes, even an admin's key", async () => {
    const admin = await app.createUser({ role: "admin" });
    const { secret } = (await create(admin, { name: "admin integration" })).body.data;
    const auth = `Bearer ${secret}`;
    expect((await call(app.url, "GET", "/api/api-keys", { auth })).status).toBe(403);
    const minted = await call(app.url, "POST", "/api/api-keys", { auth, body: { name: "more" } });
    expect(minted.status).toBe(403);
    expect(minted.body.error?.code).toBe("E_FORBIDDEN");
    expect((await call(app.url, "DELETE", "/api/api-keys", { auth, body: { id: "x" } })).status).toBe(403);
    expect((await call(app.url, "GET", "/api/admin/tickets", { auth })).status).toBe(403);
    expect((await call(app.url, "GET", "/api/admin/logs", { auth })).status).toBe(403);
    expect((await call(app.url, "GET", "/api/admin/logs", { auth: app.bearer(admin) })).status).toBe(200);
  });

  it("another user neither sees nor deletes my keys", async () => {
    const { key, secret } = (await create(alice, { name: "private" })).body.data;
    expect((await list(bob)).map((k) => k.id)).not.toContain(key.id);
    expect((await call(app.url, "DELETE", `/api/api-keys/${key.id}`, { auth: app.bearer(bob) })).status).toBe(
      404,
    );
    const seedPath = await call(app.url, "DELETE", "/api/api-keys", {
      auth: app.bearer(bob),
      body: { id: key.id },
    });
    expect(seedPath.status).toBe(404);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("is refused once deleted (both paths)", async () => {
    for (const viaBody of [false, true]) {
      const { key, secret } = (await create(alice, { name: `to delete ${viaBody}` })).body.data;
      expect((await useKey(secret)).status).toBe(200);
      const r = viaBody
        ? await call(app.url, "DELETE", "/api/api-keys", { auth: app.bearer(alice), body: { id: key.id } })
        : await call(app.url, "DELETE", `/api/api-keys/${key.id}`, { auth: app.bearer(alice) });
      expect(r.body).toEqual({ ok: true, data: { id: key.id, deleted: true } });
      expect((await useKey(secret)).status).toBe(401);
      expect(
        (await call(app.url, "DELETE", `/api/api-keys/${key.id}`, { auth: app.bearer(alice) })).status,
      ).toBe(404);
    }
  });

  it("is refused after its expiry, and cannot be created already expired", async () => {
    expect((await create(alice, { name: "past", expiresAt: now })).status).toBe(400);
    const { secret } = (await create(alice, { name: "short", expiresAt: now + 60_000 })).body.data;
    expect((await useKey(secret)).status).toBe(200);
    now += 60_000;
    expect((await useKey(secret)).status).toBe(401);
  });

  it("is refused while its owner is deactivated", async () => {
    const carol = await app.createUser();
    const { secret } = (await create(carol, { name: "k" })).body.data;
    await app.setActive(carol, false);
    expect((await useKey(secret)).status).toBe(401);
    await app.setActive(carol, true);
    expect((await useKey(secret)).status).toBe(200);
  });

  it.each([
    [{}],
    [{ name: "" }],
    [{ name: "x".repeat(101) }],
    [{ name: "ok", expiresAt: "tomorrow" }],
    [{ name: "ok", extra: 1 }],
  ])("refuses to create %j", async (body) => {
    const r = await create(bob, body);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("E_VALIDATION");
  });

  it("caps the number of keys per account", async () => {
    const dave = await app.createUser();
    for (let i = 0; i < 20; i++) expect((await create(dave, { name: `k${i}` })).status).toBe(201);
    const r = await create(dave, { name: "one too many" });
    expect(r.status).toBe(409);
    expect(r.body.error?.code).toBe("E_CONFLICT");
  });
});
