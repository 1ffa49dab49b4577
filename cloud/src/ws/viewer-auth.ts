import { ApiError } from "@homecam/shared";
import { decodeJwt } from "jose";
import type { Kysely } from "kysely";
import type { Authenticator } from "../api/principal.js";
import type { CloudDatabase } from "../db/schema.js";

/** A viewer whose access token verified. */
export interface AuthenticatedViewer {
  userId: string;
  /** Display name (`watching` lists it). */
  name: string;
  /** The access token's `exp`, in ms: the socket is closed then unless renewed. */
  expiresAt: number;
}

/**
 * Verify a viewer's access token with the accounts authenticator (signature, claims, account
 * active, session live). Only access tokens: an integration API key has no expiry to renew and no
 * business on the live push channel. Throws ApiError(`E_UNAUTHORIZED`) otherwise.
 */
export async function authenticateViewer(
  authenticate: Authenticator,
  db: Kysely<CloudDatabase>,
  token: string,
): Promise<AuthenticatedViewer> {
  if (token.startsWith("hc_")) throw new ApiError("E_UNAUTHORIZED", "API keys cannot open the viewer socket");
  const principal = await authenticate({ authorization: `Bearer ${token}` });
  if (principal?.via !== "access") throw new ApiError("E_UNAUTHORIZED", "access token required");
  // Already verified above; read only for its expiry.
  const { exp } = decodeJwt(token);
  if (typeof exp !== "number") throw new ApiError("E_UNAUTHORIZED", "access token without expiry");
  const user = await db
    .selectFrom("users")
    .select("name")
    .where("id", "=", principal.userId)
    .executeTakeFirst();
  if (!user) throw new ApiError("E_UNAUTHORIZED", "no such user");
  return { userId: principal.userId, name: user.name, expiresAt: exp * 1000 };
}
