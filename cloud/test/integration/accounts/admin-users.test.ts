import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PasswordHasher } from "../../../src/auth/password-hash.js";
import { adminCreate } from "../../../src/commands/admin-create.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import {
  type AccountsTestApp,
  FAST_SCRYPT,
  newEmail,
  PASSWORD,
  register,
  startAccountsApp,
} from "./accounts-app.js";

describe.each(TEST_DIALECTS)("admin user routes (%s)", (dialect) => {
  let database: TestDatabase;
  let app: AccountsTestApp;
  let adminToken: string;
  let adminId: string;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startAccountsApp(database);
    const email = newEmail("admin");
    const created = await adminCreate(
      app.db,
      { email, name: "Admin", password: PASSWORD },
      { clock: app.clock, hasher: new PasswordHasher(FAST_SCRYPT) },
    );
    adminId = created.userId;
    const login = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
    expect(login.body.data.user).toMatchObject({ role: "admin", emailVerified: true });
    adminToken = login.body.data.accessToken;
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  it("refuses anonymous callers (401) and ordinary users (403), before validating", async () => {
    const { session } = await register(app);
    for (const [method, path] of [
      ["GET", "/api/admin/users?limit=bogus"],
      ["PATCH", `/api/admin/users/${adminId}`],
    ] as const) {
      const body = method === "PATCH" ? { body: { bogus: true } } : {};
      expect((await app.call(method, path, body)).status).toBe(401);
      const res = await app.call(method, path, { ...body, token: session.accessToken });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("E_FORBIDDEN");
    }
  });

  it("lists users newest first with keyset pagination and e-mail search", async () => {
    const tag = `pg${Date.now()}`;
    const emails: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { email } = await register(app, `${tag}_${i}@example.com`);
      emails.push(email);
      app.clock.advance(10);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/admin/users?search=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await app.call("GET", q, { token: adminToken });
      expect(res.status).toBe(200);
      expect(res.body.data.users.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.users.map((u: { email: string }) => u.email));
      cursor = res.body.data.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...emails].reverse());
    // Search is case-insensitive, and LIKE wildcards in it are literal.
    const upper = await app.call("GET", `/api/admin/users?search=${tag.toUpperCase()}_3`, {
      token: adminToken,
    });
    expect(upper.body.data.users.map((u: { email: string }) => u.email)).toEqual([emails[3]]);
    const wild = await app.call("GET", "/api/admin/users?search=%25", { token: adminToken });
    expect(wild.body.data.users).toEqual([]);
    const bad = await app.call("GET", "/api/admin/users?limit=0", { token: adminToken });
    expect(bad.status).toBe(400);
  });

  it("deactivation cuts off existing access and refresh tokens at once; reactivation needs a new sign-in", async () => {
    const { email, session } = await register(app);
    expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(200);
    const off = await app.call("PATCH", `/api/admin/users/${session.user.id}`, {
      token: adminToken,
      body: { isActive: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.data.isActive).toBe(false);
    const me = await app.call("GET", "/api/profile", { token: session.accessToken });
    expect(me.status).toBe(401);
    const refresh = await app.call("POST", "/api/auth/refresh", {
      body: { refreshToken: session.refreshToken },
    });
    expect(refresh.status).toBe(401);
    const login = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
    expect(login.status).toBe(403);

    app.clock.advance(1000);
    const on = await app.call("PATCH", `/api/admin/users/${session.user.id}`, {
      token: adminToken,
      body: { isActive: true },
    });
    expect(on.body.data.isActive).toBe(true);
    // The old session stays dead; signing in again works.
    expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(401);
    expect((await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status).toBe(
      200,
    );
  });

  it("another instance sharing the database sees a deactivation within its cache time (2 s)", async () => {
    const other = await startAccountsApp(database);
    try {
      const { session } = await register(app);
      expect((await other.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(200);
      await app.call("PATCH", `/api/admin/users/${session.user.id}`, {
        token: adminToken,
        body: { isActive: false },
      });
      // The documented trade-off: the other instance may answer from its cache until it expires…
      expect((await other.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(200);
      // …and never longer.
      other.clock.advance(2000);
      expect((await other.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("a role change applies to the next request, whatever the token says", async () => {
    const { session } = await register(app);
    const promote = await app.call("PATCH", `/api/admin/users/${session.user.id}`, {
      token: adminToken,
      body: { role: "admin" },
    });
    expect(promote.body.data.role).toBe("admin");
    expect((await app.call("GET", "/api/admin/users", { token: session.accessToken })).status).toBe(200);
    await app.call("PATCH", `/api/admin/users/${session.user.id}`, {
      token: adminToken,
      body: { role: "user" },
    });
    expect((await app.call("GET", "/api/admin/users", { token: session.accessToken })).status).toBe(403);
  });

  it("an administrator cannot deactivate or demote themselves", async () => {
    for (const body of [{ isActive: false }, { role: "user" }]) {
      const res = await app.call("PATCH", `/api/admin/users/${adminId}`, { token: adminToken, body });
      expect(res.status).toBe(403);
    }
    expect((await app.call("GET", "/api/admin/users", { token: adminToken })).status).toBe(200);
  });

  it("answers 404 for an unknown user and 400 for an empty or invalid change", async () => {
    expect(
      (
        await app.call("PATCH", "/api/admin/users/no-such-user", {
          token: adminToken,
          body: { isActive: true },
        })
      ).status,
    ).toBe(404);
    const { session } = await register(app);
    for (const body of [{}, { role: "root" }, { isActive: "no" }]) {
      const res = await app.call("PATCH", `/api/admin/users/${session.user.id}`, { token: adminToken, body });
      expect(res.status).toBe(400);
    }
  });
});
