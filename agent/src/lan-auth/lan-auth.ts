import type { Logger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { TokenVerifier } from "../http/auth-gate.js";
import type { AgentModule } from "../module.js";
import type { AgentDatabase } from "../store/schema.js";
import { JwksCache } from "./jwks-cache.js";
import { LanTokenVerifier } from "./lan-token-verifier.js";
import { RevocationStore } from "./revocations.js";

export interface LanAuthOptions {
  cloudUrl: string;
  /** `iss` of the cloud's tokens; the cloud URL when the cloud sets no `auth.issuer`. */
  issuer: string;
  deviceId: string;
  stateDir: string;
  db: Kysely<AgentDatabase>;
  log: Logger;
  now?: () => number;
  /** Tuning for tests (refresh periods, fetch timeout). */
  jwks?: { refreshMs?: number; minUnknownKidIntervalMs?: number; timeoutMs?: number };
}

/** LAN token checking, ready to wire: the gate's verifier, a module, and the revocation hook. */
export interface LanAuth {
  verifyToken: TokenVerifier;
  /** Loads the cached JWKS and fetches the cloud's; start it before the LAN server. */
  module: AgentModule;
  /** The cloud pushed `grants.revoked` for this user. */
  revoke(userId: string): Promise<void>;
  readonly jwks: JwksCache;
}

export function createLanAuth(opts: LanAuthOptions): LanAuth {
  const now = opts.now ?? Date.now;
  const jwks = new JwksCache({
    cloudUrl: opts.cloudUrl,
    stateDir: opts.stateDir,
    log: opts.log,
    now,
    ...opts.jwks,
  });
  const revocations = new RevocationStore(opts.db, now);
  const verifier = new LanTokenVerifier({
    keys: jwks,
    revocations,
    deviceId: opts.deviceId,
    issuer: opts.issuer,
    now,
    log: opts.log,
  });
  return {
    verifyToken: verifier.verify,
    jwks,
    revoke: async (userId) => {
      await revocations.revoke(userId);
      opts.log.info({ userId }, "grant revoked: the user's LAN tokens are refused from now on");
    },
    module: {
      name: "lan-auth",
      start: () => jwks.start(),
      stop: async () => jwks.stop(),
    },
  };
}
