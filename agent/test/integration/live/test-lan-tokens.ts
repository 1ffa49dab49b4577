import { LAN_TOKEN_TYP } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type CryptoKey, generateKeyPair, SignJWT } from "jose";
import type { Kysely } from "kysely";
import { LanTokenVerifier } from "../../../src/lan-auth/lan-token-verifier.js";
import { RevocationStore } from "../../../src/lan-auth/revocations.js";
import type { AgentDatabase } from "../../../src/store/schema.js";

// LAN tokens for the live tests: a fresh Ed25519 key plays the cloud's signing key, the real
// verifier trusts it (as it would trust the cached JWKS), revocations live in a real agent store.

const ISSUER = "https://cloud.live.test";
const KID = "live-test-key";

export interface TestLanTokens {
  verifier: LanTokenVerifier;
  revocations: RevocationStore;
  /** A viewer token, for this device unless `aud` says otherwise. */
  token(opts?: { sub?: string; aud?: string }): Promise<string>;
}

export async function testLanTokens(
  db: Kysely<AgentDatabase>,
  deviceId: string,
  log: Pick<Logger, "debug">,
): Promise<TestLanTokens> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const revocations = new RevocationStore(db);
  const verifier = new LanTokenVerifier({
    cloud: {
      keys: { key: async (kid) => (kid === KID ? (publicKey as CryptoKey) : undefined) },
      issuer: ISSUER,
    },
    revocations,
    deviceId,
    log,
  });
  return {
    verifier,
    revocations,
    token: ({ sub = "user-1", aud = deviceId } = {}) =>
      new SignJWT({ role: "viewer" })
        .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: KID })
        .setIssuer(ISSUER)
        .setAudience(aud)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
  };
}
