import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import {
  type AccountsTestApp,
  newEmail,
  PASSWORD,
  randomIp,
  register,
  startAccountsApp,
} from "./accounts-app.js";

const MIN = 60_000;
const NEW_PASSWORD = "a brand new passphrase";

/** A code that is not `code`. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe.each(TEST_DIALECTS)("e-mail codes: verification and password reset (%s)", (dialect) => {
  let database: TestDatabase;
  let app: AccountsTestApp;
  // Per-account attempt limits lifted, so the per-code and per-day caps are what is tested.
  let lax: AccountsTestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startAccountsApp(database);
    const many = { limit: 1000, windowMs: 15 * MIN };
    lax = await startAccountsApp(database, {
      deps: {
        rateLimits: { resetAccount: many, verifyAccount: many, forgotAccount: many, sendCodeAccount: many },
      },
    });
  });
  afterAll(async () => {
    await lax?.close();
    await app?.close();
    await database?.dispose();
  });
  afterEach(() => {
    app.mailer.sent.length = 0;
  });

  const forgot = (a: AccountsTestApp, email: string) =>
    a.call("POST", "/api/auth/password/forgot", { body: { email }, ip: randomIp() });
  const reset = (a: AccountsTestApp, email: string, code: string, newPassword = NEW_PASSWORD) =>
    a.call("POST", "/api/auth/password/reset", { body: { email, code, newPassword }, ip: randomIp() });
  const verify = (a: AccountsTestApp, token: string, code: string) =>
    a.call("POST", "/api/profile/verify-email", { token, body: { code }, ip: randomIp() });

  describe("e-mail verification", () => {
    it("the code mailed at registration verifies the address", async () => {
      const { email, session } = await register(app);
      const status = await app.call("GET", "/api/profile/email-verification-status", {
        token: session.accessToken,
      });
      expect(status.body.data).toMatchObject({ email, emailVerified: false, codePending: true });
      expect(status.body.data.codeExpiresAt).toBe(app.clock.now() + 10 * MIN);
      const code = await app.lastCode(email);
      const res = await verify(app, session.accessToken, code);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ emailVerified: true });
      const after = await app.call("GET", "/api/profile/email-verification-status", {
        token: session.accessToken,
      });
      expect(after.body.data).toMatchObject({ emailVerified: true, codePending: false, codeExpiresAt: null });
      expect(
        (await app.call("GET", "/api/profile", { token: session.accessToken })).body.data.emailVerified,
      ).toBe(true);
      // Sending a code to a verified address is refused.
      const again = await app.call("POST", "/api/profile/email-verification", { token: session.accessToken });
      expect(again.status).toBe(409);
    });

    it("a code works once", async () => {
      const { email, session } = await register(app);
      const code = await app.lastCode(email);
      expect((await verify(app, session.accessToken, code)).status).toBe(200);
      // The account is verified now, so a second use changes nothing and is no oracle.
      const rows = await app.db.db.selectFrom("email_codes").selectAll().where("email", "=", email).execute();
      expect(rows.every((r) => r.consumed_at !== null)).toBe(true);
    });

    it("a new code makes the previous one stop working", async () => {
      const { email, session } = await register(app);
      const first = await app.lastCode(email);
      const sent = await app.call("POST", "/api/profile/email-verification", { token: session.accessToken });
      expect(sent.status).toBe(200);
      expect(sent.body.data).toEqual({ sent: true, expiresAt: app.clock.now() + 10 * MIN });
      const second = await app.lastCode(email);
      if (first !== second) {
        const old = await verify(app, session.accessToken, first);
        expect(old.status).toBe(400);
        expect(old.body.error.details.issues[0].path).toBe("code");
      }
      expect((await verify(app, session.accessToken, second)).status).toBe(200);
    });

    it("a code expires after 10 minutes", async () => {
      const { email, session } = await register(app);
      const code = await app.lastCode(email);
      app.clock.advance(10 * MIN + 1);
      expect((await verify(app, session.accessToken, code)).status).toBe(400);
    });

    it("sending codes is rate-limited per account", async () => {
      const { session } = await register(app);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (await app.call("POST", "/api/profile/email-verification", { token: session.accessToken })).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    });

    it("stores the code as an HMAC, never in clear", async () => {
      const { email } = await register(app);
      const code = await app.lastCode(email);
      const row = await app.db.db
        .selectFrom("email_codes")
        .selectAll()
        .where("email", "=", email)
        .executeTakeFirst();
      expect(row?.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(code);
      expect(row?.purpose).toBe("verify_email");
    });
  });

  describe("one purpose per code", () => {
    it("a verify_email code is rejected for password reset", async () => {
      const { email, session } = await register(app);
      const code = await app.lastCode(email);
      const res = await reset(app, email, code);
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe("code");
      // The password did not change, and the code still does what it was issued for.
      expect(
        (await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status,
      ).toBe(200);
      expect((await verify(app, session.accessToken, code)).status).toBe(200);
    });

    it("a reset_password code is rejected for e-mail verification", async () => {
      const { email, session } = await register(app);
      expect((await forgot(app, email)).status).toBe(200);
      const code = await app.lastCode(email);
      expect((await verify(app, session.accessToken, code)).status).toBe(400);
      expect((await reset(app, email, code)).status).toBe(200);
    });
  });

  describe("attempt caps", () => {
    it("the sixth attempt fails even with the right code", async () => {
      const { email } = await register(lax);
      await forgot(lax, email);
      const code = await lax.lastCode(email);
      for (let i = 0; i < 5; i++) expect((await reset(lax, email, wrong(code))).status).toBe(400);
      const sixth = await reset(lax, email, code);
      expect(sixth.status).toBe(400);
      expect(
        (await lax.call("POST", "/api/auth/login", { body: { email, password: NEW_PASSWORD } })).status,
      ).toBe(401);
    });

    it("the fifth attempt may still be the right one", async () => {
      const { email, session } = await register(lax);
      const code = await lax.lastCode(email);
      for (let i = 0; i < 4; i++)
        expect((await verify(lax, session.accessToken, wrong(code))).status).toBe(400);
      expect((await verify(lax, session.accessToken, code)).status).toBe(200);
    });

    it("concurrent guesses cannot exceed five tries per code", async () => {
      const { email } = await register(lax);
      await forgot(lax, email);
      const code = await lax.lastCode(email);
      await Promise.all(Array.from({ length: 8 }, () => reset(lax, email, wrong(code))));
      const row = await lax.db.db
        .selectFrom("email_codes")
        .selectAll()
        .where("email", "=", email)
        .where("purpose", "=", "reset_password")
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(5);
      expect((await reset(lax, email, code)).status).toBe(400);
    });

    it("at most 10 failures per account per day, across codes (429 with Retry-After)", async () => {
      const { email } = await register(lax);
      for (let round = 0; round < 2; round++) {
        await forgot(lax, email);
        const code = await lax.lastCode(email);
        for (let i = 0; i < 5; i++) expect((await reset(lax, email, wrong(code))).status).toBe(400);
      }
      await forgot(lax, email);
      const code = await lax.lastCode(email);
      const limited = await reset(lax, email, code);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("E_RATE_LIMITED");
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(23 * 3600);
      expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
      lax.clock.advance(retryAfter * 1000);
      await forgot(lax, email);
      expect((await reset(lax, email, await lax.lastCode(email))).status).toBe(200);
    });

    it("with the default limits, wrong reset codes end in 429 per account", async () => {
      const { email } = await register(app);
      await forgot(app, email);
      const code = await app.lastCode(email);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await reset(app, email, wrong(code))).status);
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    });
  });

  describe("password reset", () => {
    it("sets the new password and ends every session", async () => {
      const { email, session } = await register(app);
      const other = await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } });
      app.clock.advance(1000);
      await forgot(app, email);
      const code = await app.lastCode(email);
      const res = await reset(app, email, code);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ reset: true });
      for (const s of [session, other.body.data]) {
        expect((await app.call("GET", "/api/profile", { token: s.accessToken })).status).toBe(401);
        expect(
          (await app.call("POST", "/api/auth/refresh", { body: { refreshToken: s.refreshToken } })).status,
        ).toBe(401);
      }
      expect(
        (await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status,
      ).toBe(401);
      const login = await app.call("POST", "/api/auth/login", { body: { email, password: NEW_PASSWORD } });
      expect(login.status).toBe(200);
      // The code proved the address.
      expect(login.body.data.user.emailVerified).toBe(true);
      // Used once.
      expect((await reset(app, email, code, "yet another passphrase")).status).toBe(400);
    });

    it("refuses a weak new password without burning a try", async () => {
      const { email } = await register(app);
      await forgot(app, email);
      const code = await app.lastCode(email);
      const weak = await reset(app, email, code, email);
      expect(weak.status).toBe(400);
      expect(weak.body.error.details.issues[0].path).toBe("newPassword");
      expect((await reset(app, email, code)).status).toBe(200);
    });

    it("forgot answers the same for known and unknown addresses and mails only the known one", async () => {
      const { email } = await register(app);
      await app.accounts.idle();
      app.mailer.sent.length = 0;
      const unknown = newEmail("ghost");
      const a = await forgot(app, email);
      const b = await forgot(app, unknown);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body).toEqual(b.body);
      await app.accounts.idle();
      expect(app.mailer.sent.map((m) => m.to)).toEqual([email]);
      expect(await app.lastCode(email)).toMatch(/^[0-9]{6}$/);
      // Reset attempts answer alike too.
      const r1 = await reset(app, email, "000000");
      const r2 = await reset(app, unknown, "000000");
      expect(r1.status).toBe(r2.status);
      expect(r1.body).toEqual(r2.body);
    });

    it("forgot is rate-limited per address, also for unknown ones", async () => {
      const unknown = newEmail("ghost");
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await forgot(app, unknown)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });
  });
});
