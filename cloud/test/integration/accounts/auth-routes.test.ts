import { userViewSchema } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import {
  type AccountsTestApp,
  newEmail,
  PASSWORD,
  randomIp,
  register,
  startAccountsApp,
} from "./accounts-app.js";

describe.each(TEST_DIALECTS)("auth routes (%s)", (dialect) => {
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

  describe("register", () => {
    it("creates a user account with emailVerified false, records the terms and mails a code", async () => {
      const email = newEmail();
      const res = await app.call("POST", "/api/auth/register", {
        body: {
          email: `  ${email.toUpperCase()} `,
          password: PASSWORD,
          name: "Ada",
          agreeTerms: true,
          agreePrivacy: true,
          agreeMarketing: true,
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.ok).toBe(true);
      const { user, accessToken, refreshToken, tokenType, expiresIn } = res.body.data;
      expect(userViewSchema.parse(user)).toMatchObject({
        email,
        name: "Ada",
        role: "user",
        isActive: true,
        emailVerified: false,
        provider: "local",
      });
      expect(typeof accessToken).toBe("string");
      expect(refreshToken).toMatch(/^hcr_[A-Za-z0-9_-]{43}$/);
      expect(tokenType).toBe("Bearer");
      expect(expiresIn).toBe(900);
      expect(await app.lastCode(email)).toMatch(/^[0-9]{6}$/);

      const terms = await app.call("GET", "/api/profile/terms", { token: accessToken });
      expect(terms.status).toBe(200);
      expect(terms.body.data.agreements).toEqual([
        expect.objectContaining({
          version: "2025-01",
          agreeTerms: true,
          agreePrivacy: true,
          agreeMicrophone: false,
          agreeLocation: false,
          agreeMarketing: true,
          createdAt: app.clock.now(),
        }),
      ]);
    });

    it.each([
      ["terms not accepted", { agreeTerms: false }],
      ["privacy not accepted", { agreePrivacy: false }],
      ["password too short", { password: "short" }],
      ["password too long", { password: "x".repeat(257) }],
      ["bad e-mail", { email: "not-an-email" }],
      ["unknown member", { admin: true }],
      ["empty name", { name: "  " }],
    ])("refuses %s with 400 E_VALIDATION", async (_what, patch) => {
      const res = await app.call("POST", "/api/auth/register", {
        body: {
          email: newEmail(),
          password: PASSWORD,
          name: "A",
          agreeTerms: true,
          agreePrivacy: true,
          ...patch,
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("E_VALIDATION");
    });

    it("refuses the e-mail address as password", async () => {
      const email = newEmail();
      const res = await app.call("POST", "/api/auth/register", {
        body: { email, password: email.toUpperCase(), name: "A", agreeTerms: true, agreePrivacy: true },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe("password");
    });

    it("refuses an e-mail that already has an account with 409", async () => {
      const { email } = await register(app);
      const res = await app.call("POST", "/api/auth/register", {
        body: { email, password: PASSWORD, name: "B", agreeTerms: true, agreePrivacy: true },
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("E_CONFLICT");
    });

    it("is rate-limited per IP", async () => {
      const ip = randomIp();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await app.call("POST", "/api/auth/register", {
          ip,
          body: { email: newEmail(), password: PASSWORD, name: "A", agreeTerms: true, agreePrivacy: true },
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
      expect(statuses[10]).toBe(429);
    });
  });

  describe("login", () => {
    it("answers tokens and the user, and records lastLoginAt", async () => {
      const { email } = await register(app);
      app.clock.advance(60_000);
      const res = await app.call("POST", "/api/auth/login", {
        body: { email: email.toUpperCase(), password: PASSWORD },
      });
      expect(res.status).toBe(200);
      expect(res.body.data.user.lastLoginAt).toBe(app.clock.now());
      const me = await app.call("GET", "/api/profile", { token: res.body.data.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.data.email).toBe(email);
    });

    it("answers the same 401 for a wrong password and an unknown e-mail", async () => {
      const { email } = await register(app);
      const wrong = await app.call("POST", "/api/auth/login", {
        body: { email, password: "wrong password!" },
      });
      const unknown = await app.call("POST", "/api/auth/login", {
        body: { email: newEmail("nobody"), password: PASSWORD },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.error).toEqual(unknown.body.error);
    });

    it("ends wrong passwords in 429 with Retry-After well before 30 tries, per account", async () => {
      const { email } = await register(app);
      let tries = 0;
      let last = await app.call("POST", "/api/auth/login", { body: { email, password: "wrong password!" } });
      while (last.status === 401 && tries < 30) {
        tries++;
        // A different IP every time: the per-account limit must hold on its own.
        last = await app.call("POST", "/api/auth/login", {
          ip: randomIp(),
          body: { email, password: "wrong password!" },
        });
      }
      expect(last.status).toBe(429);
      expect(tries).toBeLessThan(10);
      expect(last.body.error.code).toBe("E_RATE_LIMITED");
      const retryAfter = Number(last.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Even the right password is refused while limited (checked before any hashing)…
      const right = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
      expect(right.status).toBe(429);
      // …and accepted once the window has passed.
      app.clock.advance(retryAfter * 1000);
      const later = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
      expect(later.status).toBe(200);
    });

    it("limits wrong passwords per IP across accounts", async () => {
      const ip = randomIp();
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const res = await app.call("POST", "/api/auth/login", {
          ip,
          body: { email: newEmail("spray"), password: "wrong password!" },
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
    });

    it("does not count successful logins against the limits", async () => {
      const { email } = await register(app);
      const ip = randomIp();
      for (let i = 0; i < 8; i++) {
        const res = await app.call("POST", "/api/auth/login", { ip, body: { email, password: PASSWORD } });
        expect(res.status).toBe(200);
      }
    });
  });

  describe("refresh and logout", () => {
    it("rotates the refresh token on every use", async () => {
      const { session } = await register(app);
      const first = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(first.status).toBe(200);
      expect(first.body.data.refreshToken).not.toBe(session.refreshToken);
      const me = await app.call("GET", "/api/profile", { token: first.body.data.accessToken });
      expect(me.status).toBe(200);
      const second = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: first.body.data.refreshToken },
      });
      expect(second.status).toBe(200);
    });

    it("refuses an unknown refresh token with 401", async () => {
      const res = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: `hcr_${"A".repeat(43)}` },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("E_UNAUTHORIZED");
    });

    it("logout with the refresh token ends the session: refresh and access tokens stop working", async () => {
      const { session } = await register(app);
      const out = await app.call("POST", "/api/auth/logout", {
        body: { refreshToken: session.refreshToken },
      });
      expect(out.status).toBe(200);
      expect(out.body.data).toEqual({ loggedOut: true });
      const refresh = await app.call("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(refresh.status).toBe(401);
      const me = await app.call("GET", "/api/profile", { token: session.accessToken });
      expect(me.status).toBe(401);
    });

    it("logout with only the access token ends that session, not the others", async () => {
      const { email, session } = await register(app);
      const other = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
      const out = await app.call("POST", "/api/auth/logout", { token: session.accessToken });
      expect(out.status).toBe(200);
      expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(401);
      expect(
        (await app.call("POST", "/api/auth/refresh", { body: { refreshToken: session.refreshToken } }))
          .status,
      ).toBe(401);
      expect((await app.call("GET", "/api/profile", { token: other.body.data.accessToken })).status).toBe(
        200,
      );
    });

    it("logout without any credential answers 401", async () => {
      const res = await app.call("POST", "/api/auth/logout", { body: {} });
      expect(res.status).toBe(401);
    });
  });
});
