import { fail } from "@homecam/shared";
import type { RequestHandler, Response } from "express";

/** Who a valid token belongs to. */
export interface Principal {
  userId: string;
  role: "owner" | "viewer";
}

/** Checks a bearer token; resolves null when it is not valid. Throwing means "cannot decide" (500). */
export type TokenVerifier = (token: string) => Promise<Principal | null>;

/**
 * Today's verifier: no token is valid, so every route behind the gate answers 401. LAN tokens
 * (cloud-signed JWTs checked against the cached JWKS, DESIGN §6) replace this in a later issue.
 */
export const rejectAllTokens: TokenVerifier = async () => null;

/** The principal the gate attached to an authenticated request. */
export function principalOf(res: Response): Principal | undefined {
  return res.locals["principal"] as Principal | undefined;
}

/**
 * Middleware every route except /health sits behind. Reads `Authorization: Bearer <token>`
 * (RFC 6750 §2.1) and answers 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3) otherwise.
 */
export function authGate(verify: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const principal = token ? await verify(token) : null;
    if (!principal) {
      res.setHeader("WWW-Authenticate", token ? 'Bearer error="invalid_token"' : "Bearer");
      res.status(401).json(fail("E_UNAUTHORIZED", token ? "invalid token" : "a bearer token is required"));
      return;
    }
    res.locals["principal"] = principal;
    next();
  };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}
