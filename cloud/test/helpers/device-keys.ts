import { randomBytes } from "node:crypto";
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";

/** A test device: an Ed25519 key pair and its id (JWK thumbprint), signing like the agent does. */
export interface TestDevice {
  id: string;
  publicJwk: JWK;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  /** A device token; `claims`/`header` override the defaults (set a claim to undefined to drop it). */
  token(opts?: {
    claims?: Partial<JWTPayload>;
    header?: Record<string, unknown>;
    ttl?: number;
    now?: number;
  }): Promise<string>;
}

export async function createTestDevice(aud = "homecam-cloud"): Promise<TestDevice> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: String(jwk.x) };
  const id = await calculateJwkThumbprint(publicJwk, "sha256");
  return {
    id,
    publicJwk,
    privateKey,
    async token({ claims = {}, header = {}, ttl = 120, now = Math.floor(Date.now() / 1000) } = {}) {
      const payload: JWTPayload = {
        typ: "device",
        iss: id,
        sub: id,
        aud,
        jti: randomBytes(12).toString("base64url"),
        iat: now,
        exp: now + ttl,
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload)
        .setProtectedHeader({
          alg: "EdDSA",
          typ: "JWT",
          jwk: publicJwk,
          ...header,
        } as unknown as JWTHeaderParameters)
        .sign(privateKey);
    },
  };
}

/** An unsigned token (`alg: none`) or an HS256 one, for the refusal matrix. */
export function craftToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sig = "",
): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${b64(header)}.${b64(payload)}.${sig}`;
}
