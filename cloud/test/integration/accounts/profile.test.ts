import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type AccountsTestApp, PASSWORD, register, startAccountsApp } from "./accounts-app.js";

describe.each(TEST_DIALECTS)("profile routes (%s)", (dialect) => {
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

  it("every profile route answers 401 without a token", async () => {
    for (const [method, path] of [
      ["GET", "/api/profile"],
      ["PUT", "/api/profile"],
      ["PUT", "/api/profile/password"],
      ["GET", "/api/profile/terms"],
      ["POST", "/api/profile/email-verification"],
      ["POST", "/api/profile/verify-email"],
      ["GET", "/api/profile/email-verification-status"],
    ] as const) {
      // A body that would fail validation: authorization is checked first (401, not 400).
      const res = await app.call(method, path, method === "GET" ? {} : { body: { bogus: 1 } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code).toBe("E_UNAUTHORIZED");
    }
  });

  it("PUT /api/profile changes only the fields sent, and null clears", async () => {
    const { session } = await register(app);
    const token = session.accessToken;
    const put = await app.call("PUT", "/api/profile", {
      token,
      body: {
        nickname: "ada",
        bio: "Counts things.",
        phone: "+44 20 7946 0958",
        birth: "1990-12-10",
        pictureUrl: "https://example.com/me.png",
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({
      name: "Test User",
      nickname: "ada",
      bio: "Counts things.",
      phone: "+44 20 7946 0958",
      birth: "1990-12-10",
      pictureUrl: "https://example.com/me.png",
    });
    const again = await app.call("PUT", "/api/profile", { token, body: { name: "Ada L.", bio: null } });
    expect(again.body.data).toMatchObject({
      name: "Ada L.",
      nickname: "ada",
      bio: null,
      birth: "1990-12-10",
    });
    const get = await app.call("GET", "/api/profile", { token });
    expect(get.body.data).toEqual(again.body.data);
    expect(get.body.data).not.toHaveProperty("passwordHash");
  });

  it.each([
    ["an http picture URL", { pictureUrl: "http://example.com/me.png" }],
    ["a javascript: URL", { pictureUrl: "javascript:alert(1)" }],
    ["an impossible date", { birth: "2023-02-30" }],
    ["a date in another format", { birth: "10/12/1990" }],
    ["a future birth date", { birth: "2999-01-01" }],
    ["letters in the phone", { phone: "call me" }],
    ["an empty name", { name: "" }],
    ["an unknown field", { role: "admin" }],
    ["a too long bio", { bio: "x".repeat(501) }],
  ])("PUT /api/profile refuses %s", async (_what, body) => {
    const { session } = await register(app);
    const res = await app.call("PUT", "/api/profile", { token: session.accessToken, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("E_VALIDATION");
  });

  describe("PUT /api/profile/password", () => {
    it("changes the password, keeps this session with a new access token and ends the others", async () => {
      const { email, session } = await register(app);
      const other = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
      app.clock.advance(1000);
      const res = await app.call("PUT", "/api/profile/password", {
        token: session.accessToken,
        body: { currentPassword: PASSWORD, newPassword: "another fine passphrase" },
      });
      expect(res.status).toBe(200);
      const { accessToken } = res.body.data;
      // Tokens issued before the change are refused, the new one works.
      expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(401);
      expect((await app.call("GET", "/api/profile", { token: other.body.data.accessToken })).status).toBe(
        401,
      );
      expect((await app.call("GET", "/api/profile", { token: accessToken })).status).toBe(200);
      // This session's refresh token still works; the other session's does not.
      const mine = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(mine.status).toBe(200);
      const theirs = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: other.body.data.refreshToken },
      });
      expect(theirs.status).toBe(401);
      expect(
        (await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status,
      ).toBe(401);
      const login = await app.call("POST", "/api/auth/login", {
        body: { email, password: "another fine passphrase" },
      });
      expect(login.status).toBe(200);
    });

    it("refuses a wrong current password, then limits the attempts", async () => {
      const { session } = await register(app);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await app.call("PUT", "/api/profile/password", {
          token: session.accessToken,
          body: { currentPassword: "not my password", newPassword: "another fine passphrase" },
        });
        statuses.push(res.status);
        if (i === 0) expect(res.body.error.details.issues[0].path).toBe("currentPassword");
      }
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    });

    it("refuses a new password equal to the e-mail address", async () => {
      const { email, session } = await register(app);
      const res = await app.call("PUT", "/api/profile/password", {
        token: session.accessToken,
        body: { currentPassword: PASSWORD, newPassword: email },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe("newPassword");
    });
  });

  it("GET /api/profile/terms lists only the caller's agreements", async () => {
    const a = await register(app, undefined, { agreeLocation: true });
    const b = await register(app);
    const ta = await app.call("GET", "/api/profile/terms", { token: a.session.accessToken });
    const tb = await app.call("GET", "/api/profile/terms", { token: b.session.accessToken });
    expect(ta.body.data.agreements).toHaveLength(1);
    expect(ta.body.data.agreements[0].agreeLocation).toBe(true);
    expect(tb.body.data.agreements[0].agreeLocation).toBe(false);
    expect(ta.body.data.agreements[0].id).not.toBe(tb.body.data.agreements[0].id);
  });
});
