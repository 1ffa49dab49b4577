import { randomUUID } from "node:crypto";
import { ApiError, type Role } from "@homecam/shared";
import { errors, type JWK, jwtVerify, SignJWT } from "jose";
import type { Clock } from "../security/clock.js";
import type { SigningKey } from "./signing-key.js";

/** The claims of a verified access token this service cares about. */
export interface AccessClaims {
  /** User id. */
  sub: string;
  /** Refresh-token family (sign-in session) the token belongs to. */
  sid: string;
  role: Role;
  jti: string;
  /** Issued at, epoch seconds. */
  iat: number;
  /** Expires at, epoch seconds. */
  exp: number;
}

export interface TokenServiceOptions {
  key: SigningKey;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  clock: Clock;
  /** Accepted clock skew between instances, seconds (default 5). */
  clockToleranceSeconds?: number;
}

/** RFC 9068 §2.1: the `typ` header of a JWT access token. */
export const ACCESS_TOKEN_TYP = "at+jwt";

/**
 * Signs and verifies access tokens: EdDSA (Ed25519) JWTs, 15 minutes by default. Verification pins
 * the algorithm (jose never accepts `alg: none`, and refuses a public key as an HMAC secret, but an
 * allow-list of exactly one algorithm also rules out any other asymmetric one), checks `iss`, `aud`,
 * the `typ` header and claim (so no other JWT we might sign later passes as an access token),
 * `exp` and `nbf` with a small tolerance, and requires every claim the authenticator uses.
 */
export class TokenService {
  private readonly tolerance: number;

  constructor(private readonly opts: TokenServiceOptions) {
    this.tolerance = opts.clockToleranceSeconds ?? 5;
  }

  get accessTtlSeconds(): number {
    return this.opts.accessTtlSeconds;
  }

  /** A new access token for `userId` in session `sid`. */
  async issueAccess(user: { id: string; role: Role }, sid: string): Promise<string> {
    const now = Math.floor(this.opts.clock.now() / 1000);
    return new SignJWT({ typ: "access", role: user.role, sid })
      .setProtectedHeader({ alg: "EdDSA", typ: ACCESS_TOKEN_TYP, kid: this.opts.key.kid })
      .setIssuer(this.opts.issuer)
      .setAudience(this.opts.audience)
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.opts.accessTtlSeconds)
      .sign(this.opts.key.privateKey);
  }

  /**
   * The claims of a valid access token. Throws ApiError `E_TOKEN_EXPIRED` for an expired one (the
   * client should refresh) and `E_UNAUTHORIZED` for anything else, without saying what was wrong.
   */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const nowMs = this.opts.clock.now();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.opts.key.publicKey, {
        algorithms: ["EdDSA"],
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ["sub", "jti", "iat", "nbf", "exp"],
        clockTolerance: this.tolerance,
        currentDate: new Date(nowMs),
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new ApiError("E_TOKEN_EXPIRED", "access token expired");
      throw new ApiError("E_UNAUTHORIZED", "invalid access token", undefined, { cause: err });
    }
    const { sub, sid, role, jti, iat, exp, typ } = payload;
    if (
      typ !== "access" ||
      typeof sub !== "string" ||
      typeof sid !== "string" ||
      typeof jti !== "string" ||
      (role !== "admin" && role !== "user") ||
      typeof iat !== "number" ||
      typeof exp !== "number" ||
      // jose checks iat only with maxTokenAge; a token "issued in the future" is forged or skewed.
      iat > nowMs / 1000 + this.tolerance
    ) {
      throw new ApiError("E_UNAUTHORIZED", "invalid access token");
    }
    return { sub, sid, role, jti, iat, exp };
  }

  /** The public keys, as a JWK Set (RFC 7517 §5). */
  jwks(): { keys: JWK[] } {
    return { keys: [this.opts.key.publicJwk] };
  }
}
