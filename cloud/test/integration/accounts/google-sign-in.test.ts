import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type AccountsTestApp, newEmail, PASSWORD, register, startAccountsApp } from "./accounts-app.js";

const CLIENT_ID = "1234-test.apps.googleusercontent.com";

/** Google's role, played on loopback: a key pair and its JWKS endpoint. */
async function startFakeGoogle() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = "google-test-key";
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] };
  const server: Server = createServer((req, res) => {
    if (req.url !== "/oauth2/v3/certs") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v3/certs`;
  return {
    jwksUrl,
    /** An ID token as Google would sign it, with changes. */
    async idToken(
      claims: JWTPayload,
      opts: { key?: CryptoKey; header?: Record<string, unknown>; now: number },
    ) {
      const now = Math.floor(opts.now / 1000);
      return new SignJWT({
        iss: "https://accounts.google.com",
        aud: CLIENT_ID,
        iat: now,
        exp: now + 3600,
        email_verified: true,
        ...claims,
      })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT", ...opts.header })
        .sign(opts.key ?? (privateKey as CryptoKey));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(TEST_DIALECTS)("sign-in with Google (%s)", (dialect) => {
  let database: TestDatabase;
  let google: Awaited<ReturnType<typeof startFakeGoogle>>;
  let app: AccountsTestApp;
  let sub = 1000;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    google = await startFakeGoogle();
    app = await startAccountsApp(database, {
      config: { auth: { google: { clientId: CLIENT_ID, jwksUrl: google.jwksUrl } } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await google?.close();
    await database?.dispose();
  });

  const signIn = (idToken: string) => app.call("POST", "/api/auth/google", { body: { idToken } });
  const token = (claims: JWTPayload, opts: { key?: CryptoKey; header?: Record<string, unknown> } = {}) =>
    google.idToken(claims, { ...opts, now: app.clock.now() });

  it("creates an account on first sign-in and finds it by Google id afterwards", async () => {
    const email = newEmail("g");
    const id = String(++sub);
    const first = await signIn(
      await token({ sub: id, email, name: "Grace", picture: "https://lh3.example/p.jpg" }),
    );
    expect(first.status).toBe(201);
    expect(first.body.data.user).toMatchObject({
      email,
      name: "Grace",
      provider: "google",
      googleLinked: true,
      emailVerified: true,
      pictureUrl: "https://lh3.example/p.jpg",
    });
    const row = await app.db.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(row.google_id).toBe(id);
    expect(row.password_hash).toBeNull();
    // Found by `sub`, even when Google now reports another address.
    const again = await signIn(await token({ sub: id, email: newEmail("renamed") }));
    expect(again.status).toBe(200);
    expect(again.body.data.user.id).toBe(first.body.data.user.id);
    expect((await app.call("GET", "/api/profile", { token: again.body.data.accessToken })).status).toBe(200);
    // No password: password sign-in fails like any wrong password.
    expect((await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status).toBe(
      401,
    );
  });

  it("links to the verified account with the same e-mail when Google says email_verified", async () => {
    const { email, session } = await register(app);
    const code = await app.lastCode(email);
    await app.call("POST", "/api/profile/verify-email", { token: session.accessToken, body: { code } });
    const res = await signIn(await token({ sub: String(++sub), email }));
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: session.user.id, provider: "local", googleLinked: true });
    // Both ways in keep working.
    expect((await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status).toBe(
      200,
    );
    expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(200);
  });

  it("refuses to link when Google has not verified the address", async () => {
    const { email } = await register(app);
    const res = await signIn(await token({ sub: String(++sub), email, email_verified: false }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("E_CONFLICT");
  });

  it("linking to a never-verified account removes its password and ends its sessions (pre-account takeover)", async () => {
    // Someone registered the address first, with a password they know, and never verified it.
    const { email, session } = await register(app);
    const res = await signIn(await token({ sub: String(++sub), email }));
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: session.user.id, emailVerified: true });
    expect((await app.call("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).status).toBe(
      401,
    );
    expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(401);
    expect(
      (await app.call("POST", "/api/auth/refresh", { body: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
    expect((await app.call("GET", "/api/profile", { token: res.body.data.accessToken })).status).toBe(200);
  });

  it("accepts the issuer without https:// (Google uses both)", async () => {
    const res = await signIn(
      await token({ sub: String(++sub), email: newEmail("g"), iss: "accounts.google.com" }),
    );
    expect(res.status).toBe(201);
  });

  it("refuses forged, foreign and expired ID tokens with 401", async () => {
    const email = newEmail("g");
    const now = Math.floor(app.clock.now() / 1000);
    const { privateKey: other } = await generateKeyPair("RS256");
    const bad = [
      await token({ sub: "x1", email, aud: "another-client" }),
      await token({ sub: "x2", email, iss: "https://evil.example" }),
      await token({ sub: "x3", email, iat: now - 7200, exp: now - 3600 }),
      await token({ sub: "x4", email }, { key: other as CryptoKey }),
      await token({ sub: "x5", email }, { key: other as CryptoKey, header: { kid: "unknown" } }),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "x6", email, aud: CLIENT_ID, iss: "https://accounts.google.com", exp: now + 60 })).toString("base64url")}.`,
      "not.a.jwt",
    ];
    for (const idToken of bad) {
      const res = await signIn(idToken);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("E_UNAUTHORIZED");
    }
    expect(
      await app.db.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst(),
    ).toBeUndefined();
  });

  it("refuses a deactivated account", async () => {
    const email = newEmail("g");
    const id = String(++sub);
    const first = await signIn(await token({ sub: id, email }));
    await app.db.db
      .updateTable("users")
      .set({ is_active: 0 })
      .where("id", "=", first.body.data.user.id)
      .execute();
    const res = await signIn(await token({ sub: id, email }));
    expect(res.status).toBe(403);
  });

  it("answers 501 when no client id is configured", async () => {
    const off = await startAccountsApp(database);
    try {
      const res = await off.call("POST", "/api/auth/google", { body: { idToken: "a.b.c" } });
      expect(res.status).toBe(501);
      expect(res.body.error.code).toBe("E_NOT_IMPLEMENTED");
    } finally {
      await off.close();
    }
  });
});
