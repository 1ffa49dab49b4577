import { LAN_TOKEN_TYP, lanTokenClaimsSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type CryptoKey, decodeProtectedHeader, jwtVerify } from "jose";
import type { Principal } from "../http/auth-gate.js";
import type { JwksCache } from "./jwks-cache.js";
import type { RevocationStore } from "./revocations.js";

/** `kid` and `iss` of a token the device signed itself (local pairing, no cloud involved). */
export function localTokenIssuer(deviceId: string): string {
  return `device:${deviceId}`;
}

export interface LanTokenVerifierOptions {
  /** The cloud's keys and issuer; absent with `cloud.enabled: false` (only local tokens pass). */
  cloud?: {
    keys: Pick<JwksCache, "key">;
    /** The cloud's token issuer (`auth.issuer`, else its public URL). A trailing `/` is ignored. */
    issuer: string;
  };
  /** The device's own public key: checks tokens issued by `homecam pair --local`. */
  deviceKey?: CryptoKey;
  revocations: Pick<RevocationStore, "revokedAt">;
  /** This device's id: the only audience accepted. */
  deviceId: string;
  /** Accepted clock skew between cloud and device, seconds (default 30: Pis without RTC drift). */
  clockToleranceSeconds?: number;
  now?: () => number;
  log: Pick<Logger, "debug">;
}

/**
 * Checks LAN viewer tokens offline: EdDSA only (no `none`, no HMAC with the public key as the
 * secret), the `hc-lan+jwt` type, our device id as audience, `exp`/`nbf` with a small tolerance,
 * and no revocation for the user since the token was issued. Two issuers are accepted, each only
 * with its own key: the cloud (kid from its JWKS) and the device itself (kid `device:<id>`), so a
 * cloud key can never vouch for a "device" token nor the reverse. Any failure is just "not
 * valid" (null): the gate answers 401 without saying why.
 */
export class LanTokenVerifier {
  readonly #o: LanTokenVerifierOptions;
  readonly #cloudIssuers: string[];
  readonly #localIssuer: string;
  readonly #toleranceS: number;

  constructor(opts: LanTokenVerifierOptions) {
    this.#o = opts;
    const base = opts.cloud?.issuer.replace(/\/+$/, "") ?? "";
    this.#cloudIssuers = [base, `${base}/`];
    this.#localIssuer = localTokenIssuer(opts.deviceId);
    this.#toleranceS = opts.clockToleranceSeconds ?? 30;
  }

  /** For `createLanApp({verifyToken})`. */
  readonly verify = async (token: string): Promise<Principal | null> => {
    try {
      return await this.#verify(token);
    } catch (err) {
      this.#o.log.debug({ err }, "LAN token refused");
      return null;
    }
  };

  async #keyFor(kid: string): Promise<{ key: CryptoKey; issuer: string[] } | undefined> {
    if (kid === this.#localIssuer) {
      return this.#o.deviceKey ? { key: this.#o.deviceKey, issuer: [this.#localIssuer] } : undefined;
    }
    const key = await this.#o.cloud?.keys.key(kid);
    return key ? { key, issuer: this.#cloudIssuers } : undefined;
  }

  async #verify(token: string): Promise<Principal | null> {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "EdDSA" || header.typ !== LAN_TOKEN_TYP || typeof header.kid !== "string") return null;
    const found = await this.#keyFor(header.kid);
    if (!found) return null;
    const nowMs = (this.#o.now ?? Date.now)();
    const { payload } = await jwtVerify(token, found.key, {
      algorithms: ["EdDSA"],
      typ: LAN_TOKEN_TYP,
      issuer: found.issuer,
      audience: this.#o.deviceId,
      requiredClaims: ["sub", "iat", "exp"],
      clockTolerance: this.#toleranceS,
      currentDate: new Date(nowMs),
    });
    const claims = lanTokenClaimsSchema.parse(payload);
    // jose checks iat only with maxTokenAge: a token "from the future" is forged or badly skewed.
    if (claims.iat > nowMs / 1000 + this.#toleranceS) return null;
    const revokedAt = await this.#o.revocations.revokedAt(claims.sub);
    // The revocation time is this device's clock, `iat` the cloud's: allow the same skew, erring
    // on refusing (a re-invited viewer waits seconds; a revoked one never gets through).
    if (revokedAt !== null && claims.iat * 1000 <= revokedAt + this.#toleranceS * 1000) return null;
    return { userId: claims.sub, role: claims.role };
  }
}
