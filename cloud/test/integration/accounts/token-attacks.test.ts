import { createHmac, createPublicKey } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { type AccountsTestApp, register, startAccountsApp } from "./accounts-app.js";

const b64url = (v: unknown) =>
  Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

describe.each(TEST_DIALECTS)("access token attacks (%s)", (dialect) => {
  let database: TestDatabase;
  let app: AccountsTestApp;
  let realKey: CryptoKey;
  let publicJwk: JWK;
  // biome-ignore lint/suspicious/noExplicitAny: test session
  let session: any;
  let claims: JWTPayload;
  let kid: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startAccountsApp(database);
    const jwk = JSON.parse(
      await readFile(join(database.stateDir, "keys", "access-token-ed25519.jwk.json"), "utf8"),
    ) as JWK;
    realKey = (await importJWK(jwk, "EdDSA")) as CryptoKey;
    publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK;
    ({ session } = await register(app));
    claims = decodeJwt(session.accessToken);
    kid = decodeProtectedHeader(session.accessToken).kid as string;
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  /** A token signed with the cloud's real key, from the valid claims with changes. */
  async function forge(
    patch: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    key: CryptoKey = realKey,
  ): Promise<string> {
    const payload = { ...claims, ...patch };
    for (const [k, v] of Object.entries(payload))
      if (v === undefined) delete payload[k as keyof typeof payload];
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid, ...header })
      .sign(key);
  }

  async function expect401(token: string, code = "E_UNAUTHORIZED") {
    const res = await app.call("GET", "/api/profile", { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
  }

  it("accepts the genuine token (control), with the RFC 9068 header and the expected claims", async () => {
    const res = await app.call("GET", "/api/profile", { token: session.accessToken });
    expect(res.status).toBe(200);
    expect(decodeProtectedHeader(session.accessToken)).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(claims).toMatchObject({
      iss: app.config.http.publicUrl,
      aud: "homecam-api",
      sub: session.user.id,
      typ: "access",
      role: "user",
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(typeof claims.jti).toBe("string");
    // A re-signed copy of the same claims passes too, so the refusals below test one change each.
    expect((await app.call("GET", "/api/profile", { token: await forge() })).status).toBe(200);
  });

  it("refuses an unsigned token", async () => {
    const [h, p] = session.accessToken.split(".");
    await expect401(`${h}.${p}.`);
    await expect401(`${h}.${p}`);
  });

  it("refuses alg:none", async () => {
    await expect401(`${b64url({ alg: "none", typ: "at+jwt" })}.${b64url(claims)}.`);
    await expect401(`${b64url({ alg: "none", typ: "at+jwt" })}.${b64url(claims)}.${b64url("x")}`);
  });

  it("refuses HS256 signed with the public key (as PEM and as raw bytes)", async () => {
    const pem = createPublicKey({ key: publicJwk as import("node:crypto").JsonWebKey, format: "jwk" })
      .export({ type: "spki", format: "pem" })
      .toString();
    const raw = Buffer.from(publicJwk.x as string, "base64url");
    for (const secret of [pem, raw, JSON.stringify(publicJwk)]) {
      const input = `${b64url({ alg: "HS256", typ: "at+jwt", kid })}.${b64url(claims)}`;
      const sig = createHmac("sha256", secret).update(input).digest("base64url");
      await expect401(`${input}.${sig}`);
    }
  });

  it("refuses a wrong issuer", async () => {
    await expect401(await forge({ iss: "https://evil.example" }));
    await expect401(await forge({ iss: undefined }));
  });

  it("refuses a wrong audience", async () => {
    await expect401(await forge({ aud: "homecam-mqtt" }));
    await expect401(await forge({ aud: undefined }));
  });

  it("refuses a wrong typ (header or claim)", async () => {
    await expect401(await forge({}, { typ: "JWT" }));
    await expect401(await forge({}, { typ: undefined }));
    await expect401(await forge({ typ: "refresh" }));
    await expect401(await forge({ typ: undefined }));
  });

  it("refuses an expired token with E_TOKEN_EXPIRED", async () => {
    const now = Math.floor(app.clock.now() / 1000);
    await expect401(await forge({ iat: now - 1000, nbf: now - 1000, exp: now - 60 }), "E_TOKEN_EXPIRED");
  });

  it("the genuine token expires after 15 minutes", async () => {
    app.clock.advance(901_000 + 5_000);
    try {
      await expect401(session.accessToken, "E_TOKEN_EXPIRED");
    } finally {
      app.clock.advance(-906_000);
    }
    expect((await app.call("GET", "/api/profile", { token: session.accessToken })).status).toBe(200);
  });

  it("refuses a token that is not yet valid (nbf, or iat in the future)", async () => {
    const now = Math.floor(app.clock.now() / 1000);
    await expect401(await forge({ nbf: now + 120, exp: now + 900 }));
    await expect401(await forge({ iat: now + 120, nbf: now, exp: now + 900 }));
  });

  it("refuses a token missing a required claim", async () => {
    for (const claim of ["sub", "jti", "exp", "nbf", "iat", "sid", "role"]) {
      await expect401(await forge({ [claim]: undefined }));
    }
  });

  it("refuses a refresh token used as an access token", async () => {
    await expect401(session.refreshToken);
  });

  it("refuses a token signed by another Ed25519 key (even with the real kid)", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    await expect401(await forge({}, {}, privateKey as CryptoKey));
    const { privateKey: es } = await generateKeyPair("ES256");
    const input = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid }).sign(es);
    await expect401(input);
  });

  it("refuses a token for another user id, and role claims are not trusted", async () => {
    await expect401(await forge({ sub: "someone-else" }));
    const admin = await forge({ role: "admin" });
    const res = await app.call("GET", "/api/admin/users", { token: admin });
    expect(res.status).toBe(403);
  });

  it("refuses malformed Authorization headers and unknown API keys", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "bearer ", "Token abc"]) {
      const res = await app.call("GET", "/api/profile", { headers: { authorization } });
      expect(res.status).toBe(401);
    }
    await expect401(`hc_${"a".repeat(43)}`);
    await expect401("not-a-jwt");
  });

  it("stores the signing key with mode 0600 and publishes the public key at /.well-known/jwks.json", async () => {
    const file = join(database.stateDir, "keys", "access-token-ed25519.jwk.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(database.stateDir, "keys"))).mode & 0o777).toBe(0o700);
    const res = await fetch(`${app.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    const [published] = jwks.keys;
    expect(published).toEqual({ ...publicJwk, kid, alg: "EdDSA", use: "sig" });
    expect(published).not.toHaveProperty("d");
    // The published key verifies the real token.
    const pub = await importJWK(published as JWK, "EdDSA");
    const { jwtVerify } = await import("jose");
    await expect(
      jwtVerify(session.accessToken, pub, { currentDate: new Date(app.clock.now()) }),
    ).resolves.toBeTruthy();
  });

  it("keeps the same key across restarts of the cloud on the same state directory", async () => {
    const again = await startAccountsApp(database);
    try {
      const res = await again.call("GET", "/api/profile", { token: session.accessToken });
      expect(res.status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it("a fresh key pair is a different key (sanity)", async () => {
    const { publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    expect((await exportJWK(publicKey)).x).not.toBe(publicJwk.x);
  });
});
