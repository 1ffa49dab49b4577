import { randomBytes } from "node:crypto";
import { DEFAULT_LAN_TOKEN_TTL_SECONDS, LAN_TOKEN_TYP, MAX_LAN_TOKEN_TTL_SECONDS } from "@homecam/shared";
import { type CryptoKey, SignJWT } from "jose";
import { localTokenIssuer } from "../lan-auth/lan-token-verifier.js";
import type { LocalViewer } from "./local-viewers.js";

export interface LocalTokenSignerOptions {
  deviceId: string;
  privateKey: CryptoKey;
  /** Token lifetime (default 12 h, at most 24 h like cloud-signed LAN tokens). */
  ttlSeconds?: number;
  now?: () => number;
}

/**
 * Signs LAN tokens with the device's own key: `iss` and `kid` = `device:<deviceId>`, `aud` = the
 * device id, so the verifier checks them with the device's public key and no other, and a token
 * from another device (another key, another audience) never passes here.
 */
export class LocalTokenSigner {
  readonly #o: LocalTokenSignerOptions;
  readonly #ttlS: number;

  constructor(opts: LocalTokenSignerOptions) {
    this.#o = opts;
    this.#ttlS = Math.min(opts.ttlSeconds ?? DEFAULT_LAN_TOKEN_TTL_SECONDS, MAX_LAN_TOKEN_TTL_SECONDS);
  }

  async sign(viewer: Pick<LocalViewer, "id" | "role">): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor((this.#o.now ?? Date.now)() / 1000);
    const issuer = localTokenIssuer(this.#o.deviceId);
    const token = await new SignJWT({ role: viewer.role })
      .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: issuer })
      .setIssuer(issuer)
      .setAudience(this.#o.deviceId)
      .setSubject(viewer.id)
      .setJti(randomBytes(12).toString("base64url"))
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#ttlS)
      .sign(this.#o.privateKey);
    return { token, expiresAt: new Date((iat + this.#ttlS) * 1000).toISOString() };
  }
}
