import type { Logger } from "@homecam/shared/node";
import type { CryptoKey } from "jose";
import type { Kysely } from "kysely";
import type { TokenVerifier } from "../http/auth-gate.js";
import type { AgentModule } from "../module.js";
import type { AgentDatabase } from "../store/schema.js";
import { JwksCache } from "./jwks-cache.js";
import { LanTokenVerifier } from "./lan-token-verifier.js";
import { RevocationStore } from "./revocations.js";

export interface LanAuthOptions {
  /** The cloud's URL; absent with `cloud.enabled: false`: then only device-signed tokens pass. */
  cloudUrl?: string;
  /** `iss` of the cloud's tokens; the cloud URL when the cloud sets no `auth.issuer`. */
  issuer?: string;
  /** The device's own public key, to accept tokens from `homecam pair --local`. */
  deviceKey?: CryptoKey;
  deviceId: string;
  stateDir: string;
  db: Kysely<AgentDatabase>;
  log: Logger;
  now?: () => number;
  /** Tuning for tests (refresh periods, fetch timeout). */
  jwks?: { refreshMs?: number; minUnknownKidIntervalMs?: number; timeoutMs?: number };
}

/** LAN token checking, ready to wire: the gate's verifier, a module, and the revocation hook. */
export interface LanAuth<J extends JwksCache | undefined = JwksCache> {
  verifyToken: TokenVerifier;
  /** Loads the cached JWKS and fetches the cloud's; start it before the LAN server. */
  module: AgentModule;
  /** The cloud pushed `grants.revoked` for this user, or the operator revoked a local viewer. */
  revoke(userId: string): Promise<void>;
  /** The cloud's keys; undefined without a cloud. */
  readonly jwks: J;
}

export function createLanAuth(opts: LanAuthOptions & { cloudUrl: string; issuer: string }): LanAuth;
export function createLanAuth(opts: LanAuthOptions): LanAuth<JwksCache | undefined>;
export function createLanAuth(opts: LanAuthOptions): LanAuth<JwksCache | undefined> {
  const now = opts.now ?? Date.now;
  const jwks =
    opts.cloudUrl === undefined
      ? undefined
      : new JwksCache({ cloudUrl: opts.cloudUrl, stateDir: opts.stateDir, log: opts.log, now, ...opts.jwks });
  const revocations = new RevocationStore(opts.db, now);
  const verifier = new LanTokenVerifier({
    ...(jwks && { cloud: { keys: jwks, issuer: opts.issuer ?? opts.cloudUrl ?? "" } }),
    ...(opts.deviceKey && { deviceKey: opts.deviceKey }),
    revocations,
    deviceId: opts.deviceId,
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
      start: async () => jwks?.start(),
      stop: async () => jwks?.stop(),
    },
  };
}
