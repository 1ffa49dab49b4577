import { randomUUID } from "node:crypto";
import { DEFAULT_LAN_TOKEN_TTL_SECONDS, LAN_TOKEN_TYP, MAX_LAN_TOKEN_TTL_SECONDS } from "@homecam/shared";
import { SignJWT } from "jose";
import type { SigningKey } from "../auth/signing-key.js";
import type { DeviceRole } from "../devices/grants.js";
import type { Clock } from "../security/clock.js";

export interface LanTokenIssuerOptions {
  /** The access-token key: agents already trust its JWKS, no second key to publish or rotate. */
  key: SigningKey;
  /** `iss`, the same as the access tokens'. */
  issuer: string;
  clock: Clock;
  /** Lifetime in seconds (default 12 h); capped at 24 h. */
  ttlSeconds?: number;
}

/** A signed LAN token and when it stops working. */
export interface IssuedLanToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * Signs LAN viewer tokens: EdDSA JWTs whose audience is ONE device, so a token leaked from one
 * household's camera opens nothing else, and whose `typ` header keeps them apart from access
 * tokens (the cloud's verifier pins `at+jwt`, the agent's `hc-lan+jwt`).
 */
export class LanTokenIssuer {
  readonly ttlSeconds: number;

  constructor(private readonly opts: LanTokenIssuerOptions) {
    const ttl = opts.ttlSeconds ?? DEFAULT_LAN_TOKEN_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_LAN_TOKEN_TTL_SECONDS) {
      throw new Error(`LAN token lifetime must be 60…${MAX_LAN_TOKEN_TTL_SECONDS} s, got ${ttl}`);
    }
    this.ttlSeconds = ttl;
  }

  async issue(userId: string, deviceId: string, role: DeviceRole): Promise<IssuedLanToken> {
    const now = Math.floor(this.opts.clock.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: this.opts.key.kid })
      .setIssuer(this.opts.issuer)
      .setAudience(deviceId)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .sign(this.opts.key.privateKey);
    return { token, expiresAt: exp * 1000 };
  }
}
