import { ApiError } from "@homecam/shared";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { ephemeralSigningKey } from "../../../src/auth/signing-key.js";
import { TokenService } from "../../../src/auth/token-service.js";

async function service(now = { t: 1_700_000_000_000 }, audience = "homecam-api") {
  const key = await ephemeralSigningKey();
  return {
    now,
    key,
    tokens: new TokenService({
      key,
      issuer: "https://cloud.example",
      audience,
      accessTtlSeconds: 900,
      clock: { now: () => now.t },
    }),
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  return err instanceof ApiError ? err.code : String(err);
}

describe("TokenService", () => {
  it("issues an EdDSA at+jwt with iss, aud, sub, typ, jti, role, sid, iat, nbf, exp and verifies it", async () => {
    const { tokens, key } = await service();
    const jwt = await tokens.issueAccess({ id: "u1", role: "user" }, "s1");
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: "EdDSA", typ: "at+jwt", kid: key.kid });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({
      iss: "https://cloud.example",
      aud: "homecam-api",
      sub: "u1",
      typ: "access",
      role: "user",
      sid: "s1",
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      exp: 1_700_000_900,
    });
    expect(await tokens.verifyAccess(jwt)).toMatchObject({ sub: "u1", sid: "s1", role: "user" });
  });

  it("expired → E_TOKEN_EXPIRED (after the 5 s tolerance); other failures → E_UNAUTHORIZED", async () => {
    const { tokens, now } = await service();
    const jwt = await tokens.issueAccess({ id: "u1", role: "admin" }, "s1");
    now.t += 904_000;
    expect((await tokens.verifyAccess(jwt)).role).toBe("admin");
    now.t += 2_000;
    expect(await codeOf(tokens.verifyAccess(jwt))).toBe("E_TOKEN_EXPIRED");
    expect(await codeOf(tokens.verifyAccess(`${jwt}x`))).toBe("E_UNAUTHORIZED");
  });

  it("a token of another deployment (other key or audience) is refused", async () => {
    const a = await service();
    const b = await service(a.now);
    const c = await service(a.now, "other-api");
    const jwt = await b.tokens.issueAccess({ id: "u1", role: "user" }, "s1");
    expect(await codeOf(a.tokens.verifyAccess(jwt))).toBe("E_UNAUTHORIZED");
    const cJwt = await c.tokens.issueAccess({ id: "u1", role: "user" }, "s1");
    expect(await codeOf(a.tokens.verifyAccess(cJwt))).toBe("E_UNAUTHORIZED");
  });

  it("publishes only the public key, with kid, alg and use", async () => {
    const { tokens, key } = await service();
    const { keys } = tokens.jwks();
    expect(keys).toEqual([
      { kty: "OKP", crv: "Ed25519", x: key.publicJwk.x, kid: key.kid, alg: "EdDSA", use: "sig" },
    ]);
  });
});
