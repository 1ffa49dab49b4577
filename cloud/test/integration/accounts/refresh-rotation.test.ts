import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type AccountsTestApp, register, startAccountsApp } from "./accounts-app.js";

const DAY = 86_400_000;

describe.each(TEST_DIALECTS)("refresh token rotation and reuse detection (%s)", (dialect) => {
  let database: TestDatabase;
  let app: AccountsTestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startAccountsApp(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const refresh = (refreshToken: string) => app.call("POST", "/api/auth/refresh", { body: { refreshToken } });

  it("reuse of a rotated token after the grace window revokes the whole family, newest token included", async () => {
    const { session } = await register(app);
    const t1 = session.refreshToken;
    const r2 = await refresh(t1);
    expect(r2.status).toBe(200);
    const t2 = r2.body.data.refreshToken;
    const r3 = await refresh(t2);
    expect(r3.status).toBe(200);
    const t3 = r3.body.data.refreshToken;
    const access3 = r3.body.data.accessToken;

    app.clock.advance(11_000);
    // An attacker (or the victim) presents the rotated t1: both parties may hold it, so the
    // server cannot tell who is legitimate and ends the session (RFC 9700 §4.14.2).
    const reuse = await refresh(t1);
    expect(reuse.status).toBe(401);
    expect((await refresh(t3)).status).toBe(401);
    expect((await refresh(t2)).status).toBe(401);
    // The session's access tokens die with it.
    expect((await app.call("GET", "/api/profile", { token: access3 })).status).toBe(401);
    expect(app.logs.some((l) => l.msg === "refresh token reused after rotation: session revoked")).toBe(true);
  });

  it("within the grace window a rotated token still works (two tabs) and nothing is revoked", async () => {
    const { session } = await register(app);
    const t1 = session.refreshToken;
    const tabA = await refresh(t1);
    expect(tabA.status).toBe(200);
    app.clock.advance(9_000);
    const tabB = await refresh(t1);
    expect(tabB.status).toBe(200);
    expect(tabB.body.data.refreshToken).not.toBe(tabA.body.data.refreshToken);
    // Both tabs go on refreshing independently.
    expect((await refresh(tabA.body.data.refreshToken)).status).toBe(200);
    expect((await refresh(tabB.body.data.refreshToken)).status).toBe(200);
  });

  it("concurrent refreshes with one token all succeed within the grace window", async () => {
    const { session } = await register(app);
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(session.refreshToken)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const tokens = new Set(results.map((r) => r.body.data.refreshToken));
    expect(tokens.size).toBe(5);
  });

  it("a refresh token unused for refreshTtlDays expires", async () => {
    const { session } = await register(app);
    app.clock.advance(30 * DAY + 1000);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });

  it("a family cannot outlive refreshMaxLifetimeDays, however often it is refreshed", async () => {
    const { session } = await register(app);
    const start = app.clock.now();
    let token = session.refreshToken as string;
    for (let day = 20; day <= 80; day += 20) {
      app.clock.advance(20 * DAY);
      const r = await refresh(token);
      expect(r.status).toBe(200);
      token = r.body.data.refreshToken;
      // Idle expiry is 30 days from now, but never past the family's start + 90 days.
      expect(r.body.data.refreshExpiresAt).toBe(Math.min(app.clock.now() + 30 * DAY, start + 90 * DAY));
    }
    app.clock.advance(10 * DAY - 1000);
    const before = await refresh(token);
    expect(before.status).toBe(200);
    app.clock.advance(2000);
    expect((await refresh(before.body.data.refreshToken)).status).toBe(401);
  });

  it("stores only a SHA-256 of each refresh token, with family, parent and issue time", async () => {
    const { session } = await register(app);
    const r2 = await refresh(session.refreshToken);
    const rows = await app.db.db
      .selectFrom("refresh_tokens")
      .selectAll()
      .where("user_id", "=", session.user.id)
      .orderBy("issued_at")
      .execute();
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    for (const r of rows) {
      expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(r)).not.toContain(session.refreshToken.slice(4));
      expect(JSON.stringify(r)).not.toContain(r2.body.data.refreshToken.slice(4));
    }
    expect(second?.family_id).toBe(first?.family_id);
    expect(second?.parent_id).toBe(first?.id);
    expect(first?.rotated_at).not.toBeNull();
    expect(second?.rotated_at).toBeNull();
  });
});
