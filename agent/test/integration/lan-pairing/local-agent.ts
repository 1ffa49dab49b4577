import { createLogger } from "@homecam/shared/node";
import { Router } from "express";
import { ControlServer } from "../../../src/control/control-server.js";
import { controlSocketPath } from "../../../src/control/protocol.js";
import { principalOf } from "../../../src/http/auth-gate.js";
import { createLanApp } from "../../../src/http/lan-app.js";
import { LanServer } from "../../../src/http/lan-server.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { createLanAuth } from "../../../src/lan-auth/lan-auth.js";
import { loadDeviceSigningKeys } from "../../../src/lan-pairing/device-signing-key.js";
import { createLocalPairing, type LocalPairingControl } from "../../../src/lan-pairing/local-pairing.js";
import { openAgentStore } from "../../../src/store/agent-store.js";
import { FakeCameraControl } from "../control/fake-camera-control.js";

// An agent with the cloud disabled, wired as main.ts wires it: device key, LanAuth without a
// cloud, local pairing in front of the gate, the control socket; one gated route, /whoami.

export const log = createLogger({ name: "test", level: "silent" });

/** The envelope the local pairing routes answer. */
export interface PairAnswer {
  ok: boolean;
  data?: {
    token: string;
    expiresAt: string;
    deviceId: string;
    viewerId: string;
    role: string;
    refreshSecret?: string;
  };
  error?: { code: string; message: string };
}

export interface LocalAgent {
  identity: DeviceIdentity;
  control: LocalPairingControl;
  url: string;
  socketPath: string;
  /** Status and body of `GET /whoami` with `token`. */
  whoami(token: string): Promise<{ status: number; body: unknown }>;
  post(path: string, body: unknown): Promise<{ status: number; body: PairAnswer }>;
  stop(): Promise<void>;
}

export async function startLocalAgent(
  stateDir: string,
  opts: { now?: () => number; perMinute?: number } = {},
): Promise<LocalAgent> {
  const identity = await loadOrCreateDeviceIdentity(stateDir);
  const keys = await loadDeviceSigningKeys(identity);
  const store = await openAgentStore(stateDir, { log });
  const now = opts.now ?? Date.now;
  const lanAuth = createLanAuth({
    deviceKey: keys.publicKey,
    deviceId: identity.deviceId,
    stateDir,
    db: store.db,
    log,
    now,
  });
  let lanUrl: string | undefined;
  const pairing = createLocalPairing({
    deviceId: identity.deviceId,
    privateKey: keys.privateKey,
    db: store.db,
    revokeTokens: (id) => lanAuth.revoke(id),
    lanUrl: () => lanUrl,
    log,
    now,
    perMinute: opts.perMinute ?? 1_000,
  });
  const routes = Router().get("/whoami", (_req, res) => {
    res.json(principalOf(res));
  });
  const lanApp = createLanApp({
    version: "t",
    uptimeS: () => 0,
    verifyToken: lanAuth.verifyToken,
    log,
    routes,
    publicRoutes: pairing.routes,
  });
  const server = new LanServer({
    app: lanApp,
    host: "127.0.0.1",
    port: 0,
    log,
  });
  const socketPath = controlSocketPath(stateDir);
  const control = new ControlServer({
    socketPath,
    control: new FakeCameraControl(),
    localPairing: pairing.control,
    log,
  });
  const signal = new AbortController().signal;
  await lanAuth.module.start(signal);
  await server.start(signal);
  await control.start(signal);
  lanUrl = server.url;
  const url = server.url ?? "";
  return {
    identity,
    control: pairing.control,
    url,
    socketPath,
    async whoami(token) {
      const res = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
    async post(path, body) {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as PairAnswer };
    },
    async stop() {
      await control.stop();
      await server.stop();
      await lanAuth.module.stop();
      await store.close();
    },
  };
}
