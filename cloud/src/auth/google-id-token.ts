import { ApiError } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Clock } from "../security/clock.js";

/** What a verified Google ID token says about the person. */
export interface GoogleIdentity {
  /** Google's stable account id: the identifier to link on (never the e-mail). */
  sub: string;
  email: string | null;
  /** Google vouches that `email` belongs to this account. */
  emailVerified: boolean;
  name: string | null;
  picture: string | null;
}

export interface GoogleVerifierOptions {
  clientId: string;
  issuer: string;
  jwksUrl: string;
  clock: Clock;
  log: Logger;
}

const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * Verifies Google ID tokens as Google's backend guide says: signature with Google's published keys
 * (fetched from the configured JWKS URL, cached by jose), `aud` = our client id, `iss` =
 * accounts.google.com (with or without https://), `exp`. RS256 only: it is what Google signs with,
 * and pinning it keeps any other algorithm out.
 */
export class GoogleIdTokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly issuers: string[];

  constructor(private readonly opts: GoogleVerifierOptions) {
    this.keys = createRemoteJWKSet(new URL(opts.jwksUrl), { timeoutDuration: 5000 });
    this.issuers = opts.issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, "accounts.google.com"] : [opts.issuer];
  }

  async verify(idToken: string): Promise<GoogleIdentity> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(idToken, this.keys, {
        algorithms: ["RS256"],
        issuer: this.issuers,
        audience: this.opts.clientId,
        requiredClaims: ["sub", "iat", "exp"],
        clockTolerance: 5,
        currentDate: new Date(this.opts.clock.now()),
      }));
    } catch (err) {
      // Key-set trouble is ours (network, Google down), not the caller's: log it loudly.
      if (
        err instanceof errors.JWKSTimeout ||
        err instanceof errors.JWKSInvalid ||
        !(err instanceof errors.JOSEError)
      ) {
        this.opts.log.warn({ err }, "could not fetch Google's signing keys");
      }
      throw new ApiError("E_UNAUTHORIZED", "invalid Google ID token", undefined, { cause: err });
    }
    const { sub, email, email_verified, name, picture } = payload;
    if (typeof sub !== "string" || sub.length === 0 || sub.length > 255) {
      throw new ApiError("E_UNAUTHORIZED", "invalid Google ID token");
    }
    return {
      sub,
      email: typeof email === "string" ? email.trim().toLowerCase() : null,
      // Google sends a boolean today; older tokens had the string "true".
      emailVerified: email_verified === true || email_verified === "true",
      name: typeof name === "string" ? name : null,
      picture: typeof picture === "string" && picture.startsWith("https://") ? picture : null,
    };
  }
}
