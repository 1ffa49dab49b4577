import { ApiError, type Role } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { Authenticator, Principal } from "../api/principal.js";
import type { CloudDatabase } from "../db/schema.js";
import type { Clock } from "../security/clock.js";
import type { TokenService } from "./token-service.js";

/** Resolves an integration API key (`hc_…`) to its owner; null when unknown, expired or revoked. */
export type ApiKeyVerifier = (secret: string) => Promise<Principal | null>;

export interface AuthenticatorDeps {
  db: Kysely<CloudDatabase>;
  tokens: TokenService;
  clock: Clock;
  /** Plugged in by the API-keys module; without it every `hc_…` bearer is refused. */
  verifyApiKey?: ApiKeyVerifier | undefined;
  /** How long a user's state (active, role, session) may be reused from memory. Default 2000 ms. */
  cacheMs?: number;
}

interface UserState {
  role: Role;
  active: boolean;
  tokensValidAfter: number;
  /** The session (refresh family) is live: not revoked, not past its hard expiry. */
  sessionLive: boolean;
}

const MAX_CACHED = 10_000;

/**
 * Resolves the caller of a request from `Authorization: Bearer …`: an access token (EdDSA JWT,
 * verified by TokenService) or an API key (`hc_…`, verified by the API-keys module).
 *
 * The JWT alone is not enough: every request also checks the user row — the account is active
 * (ASVS 7.4.2: deactivation ends every session at once), the token was issued after the last
 * password change or reset (`tokens_valid_after`, ASVS 7.4.1), its session was not revoked by
 * logout or refresh-token reuse — and takes the role from the database, not the token, so a
 * demotion applies at once (ASVS 8.3.2).
 *
 * That lookup (one primary-key read joined with one session row) is cached for `cacheMs` (2 s).
 * The trade-off: without a cache every request costs a database round trip; with one, a change
 * made on *another* instance takes up to `cacheMs` to be seen here. Changes made through this
 * instance call {@link invalidate}, so on a single instance they apply to the very next request.
 * Two seconds bounds the window an attacker keeps after deactivation to far less than the 15-minute
 * access token it would otherwise keep.
 */
export class AccessAuthenticator {
  private readonly cache = new Map<string, { state: UserState | null; at: number }>();
  private readonly cacheMs: number;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.cacheMs = deps.cacheMs ?? 2000;
  }

  /** The {@link Authenticator} for createApp. */
  readonly authenticate: Authenticator = async (headers) => {
    const header = headers.authorization;
    if (header === undefined || header === "") return null;
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
    const credential = match?.[1];
    if (!credential) throw new ApiError("E_UNAUTHORIZED", "expected Authorization: Bearer <token>");
    if (credential.startsWith("hc_")) return this.apiKey(credential);
    const claims = await this.deps.tokens.verifyAccess(credential);
    const state = await this.state(claims.sub, claims.sid);
    // iat has whole seconds; tokens_valid_after is compared at that resolution, so a token issued
    // in the same second as a password change still passes — its session is then checked anyway
    // (a change revokes every other session).
    if (!state?.active || !state.sessionLive || claims.iat < Math.floor(state.tokensValidAfter / 1000)) {
      throw new ApiError("E_UNAUTHORIZED", "session ended: sign in again");
    }
    return { userId: claims.sub, role: state.role, via: "access", sessionId: claims.sid };
  };

  /** Forget cached state: of one user, or everything. Call after changing a user or session. */
  invalidate(userId?: string): void {
    if (userId === undefined) {
      this.cache.clear();
      return;
    }
    for (const key of this.cache.keys()) if (key.startsWith(`${userId}|`)) this.cache.delete(key);
  }

  private async apiKey(secret: string): Promise<Principal> {
    const principal = this.deps.verifyApiKey ? await this.deps.verifyApiKey(secret) : null;
    if (!principal) throw new ApiError("E_UNAUTHORIZED", "invalid API key");
    const state = await this.state(principal.userId, null);
    if (!state?.active) throw new ApiError("E_UNAUTHORIZED", "account deactivated");
    return { ...principal, role: state.role, via: "apikey" };
  }

  private async state(userId: string, sid: string | null): Promise<UserState | null> {
    const key = `${userId}|${sid ?? ""}`;
    const now = this.deps.clock.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.cacheMs) return hit.state;
    const state = await this.load(userId, sid, now);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { state, at: now });
    return state;
  }

  private async load(userId: string, sid: string | null, now: number): Promise<UserState | null> {
    const user = await this.deps.db
      .selectFrom("users as u")
      .leftJoin("refresh_families as f", (join) =>
        join.onRef("f.user_id", "=", "u.id").on("f.id", "=", sid ?? ""),
      )
      .select(["u.role", "u.is_active", "u.tokens_valid_after", "f.revoked_at", "f.expires_at"])
      .where("u.id", "=", userId)
      .executeTakeFirst();
    if (!user) return null;
    return {
      role: user.role,
      active: user.is_active === 1,
      tokensValidAfter: user.tokens_valid_after,
      sessionLive:
        sid === null || (user.expires_at !== null && user.revoked_at === null && user.expires_at > now),
    };
  }
}
