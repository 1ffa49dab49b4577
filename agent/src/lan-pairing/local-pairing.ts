import type { Logger } from "@homecam/shared/node";
import type { Router } from "express";
import type { CryptoKey } from "jose";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../store/schema.js";
import { localPairingRoutes } from "./local-pairing-routes.js";
import { LocalTokenSigner } from "./local-token-signer.js";
import { type LocalViewer, LocalViewerStore } from "./local-viewers.js";
import { LocalPinSessions, type LocalSessionState } from "./pin-sessions.js";

/** What `homecam pair --local` shows. */
export interface LocalPairingSession {
  sessionId: string;
  pin: string;
  /** Where a viewer on the LAN claims the PIN (for the QR code). */
  url: string;
  expiresAt: string;
}

/** The control socket's side: open a session, list and revoke local viewers. */
export interface LocalPairingControl {
  /**
   * Open a session. `owner`: its claim yields an owner token (the console is the owner's). `camera`:
   * the URL printed is that camera's /capture page (a phone publishing to the agent it runs).
   */
  start(opts?: { owner?: boolean; camera?: string }): Promise<LocalPairingSession>;
  status(sessionId: string): Promise<{ state: LocalSessionState | "unknown" }>;
  viewers(): Promise<LocalViewer[]>;
  /** Revokes the viewer's refresh secret and every token it holds; false for an unknown id. */
  revoke(viewerId: string): Promise<boolean>;
}

export interface LocalPairingOptions {
  deviceId: string;
  /** The device's private key (see loadDeviceSigningKeys). */
  privateKey: CryptoKey;
  db: Kysely<AgentDatabase>;
  /** Refuses the viewer's tokens from now on (LanAuth.revoke). */
  revokeTokens(viewerId: string): Promise<void>;
  /** The LAN server's URL, known once it listens. */
  lanUrl(): string | undefined;
  log: Pick<Logger, "info">;
  now?: () => number;
  /** Requests per address per minute on the open routes (default 10). */
  perMinute?: number;
}

/** A camera's /capture page on this host: localhost is a secure context (the camera API), a LAN IP is not. */
function captureUrl(lanUrl: string | undefined, camera: string): string {
  const port = lanUrl ? new URL(lanUrl).port : "";
  return `http://localhost${port ? `:${port}` : ""}/capture?camera=${encodeURIComponent(camera)}`;
}

/** LAN pairing without a cloud, ready to wire: the open routes and the control methods. */
export function createLocalPairing(opts: LocalPairingOptions): {
  routes: Router;
  control: LocalPairingControl;
} {
  const now = opts.now ?? Date.now;
  const sessions = new LocalPinSessions(now);
  const viewers = new LocalViewerStore(opts.db, now);
  const signer = new LocalTokenSigner({ deviceId: opts.deviceId, privateKey: opts.privateKey, now });
  const routes = localPairingRoutes({
    sessions,
    viewers,
    signer,
    deviceId: opts.deviceId,
    now,
    ...(opts.perMinute !== undefined && { perMinute: opts.perMinute }),
  });
  const control: LocalPairingControl = {
    start: async ({ owner = false, camera } = {}) => {
      const s = sessions.start({ owner });
      opts.log.info({ sessionId: s.sessionId, owner }, "local pairing session opened");
      const base = opts.lanUrl() ?? "http://<this-host>";
      return {
        sessionId: s.sessionId,
        pin: s.pin,
        url: camera ? captureUrl(opts.lanUrl(), camera) : `${base}/pair?local=1`,
        expiresAt: new Date(s.expiresAt).toISOString(),
      };
    },
    status: async (sessionId) => ({ state: sessions.status(sessionId) ?? "unknown" }),
    viewers: () => viewers.list(),
    revoke: async (viewerId) => {
      if (!(await viewers.revoke(viewerId))) return false;
      await opts.revokeTokens(viewerId);
      opts.log.info({ viewerId }, "local viewer revoked");
      return true;
    },
  };
  return { routes, control };
}
