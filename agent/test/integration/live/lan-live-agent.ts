import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLogger, type Logger } from "@homecam/shared/node";
import { Router } from "express";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { CommandHandler } from "../../../src/cloud/command-handler.js";
import { MqttLink } from "../../../src/cloud/mqtt-link.js";
import { ControlServer } from "../../../src/control/control-server.js";
import { controlSocketPath } from "../../../src/control/protocol.js";
import { cameraListRoutes } from "../../../src/http/camera-list-routes.js";
import { createLanApp } from "../../../src/http/lan-app.js";
import { LanServer } from "../../../src/http/lan-server.js";
import { localPairPageRoutes } from "../../../src/http/local-pair-script.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { createLanAuth, type LanAuth } from "../../../src/lan-auth/lan-auth.js";
import { loadDeviceSigningKeys } from "../../../src/lan-pairing/device-signing-key.js";
import { createLocalPairing, type LocalPairingControl } from "../../../src/lan-pairing/local-pairing.js";
import { LiveHub } from "../../../src/live/live-hub.js";
import { livePageRoutes } from "../../../src/live/live-page.js";
import { liveUpgradeHandler } from "../../../src/live/live-socket.js";
import { ffmpegLiveSources, type LiveSourceFactory, type LiveStream } from "../../../src/live/live-source.js";
import { ffmpegRtpSources, type RtpSourceFactory } from "../../../src/live/rtp-source.js";
import { WhepHub } from "../../../src/live/whep-hub.js";
import { whepCorsRoutes, whepRoutes } from "../../../src/live/whep-routes.js";
import { openAgentStore } from "../../../src/store/agent-store.js";
import { camera } from "../capture/helpers.js";
import { FakeCameraControl } from "../control/fake-camera-control.js";

// An agent's LAN side wired as main.ts wires it, with real parts: LanAuth (the cloud's JWKS cached
// in the state directory, or none), local pairing behind the control socket the `homecam` CLI
// talks to, the pair page's script, WHEP (werift + ffmpeg RTP) and the fMP4 WebSocket of the
// synthetic camera — and, when a cloud is given, the MQTT link that receives `grants.revoked`.

export const CAMERA_ID = "yard";
export const silentLog: Logger = createLogger({ name: "test", level: "silent" });

export interface LanLiveAgent {
  url: string;
  identity: DeviceIdentity;
  /** A config file whose stateDir is this agent's, for `homecam … --config`. */
  configPath: string;
  lanAuth: Pick<LanAuth, "verifyToken" | "revoke">;
  localPairing: LocalPairingControl;
  whep: WhepHub;
  live: LiveHub;
  /** ffmpeg processes started so far, by either hub (with their pids). */
  started: LiveStream[];
  /** The MQTT link is up (always false without a cloud). */
  linked(): boolean;
  close(): Promise<void>;
}

export interface LanLiveAgentOptions {
  stateDir: string;
  identity?: DeviceIdentity;
  cloud?: { url: string; mqttUrl: string; issuer: string };
  log?: Logger;
}

export async function startLanLiveAgent(opts: LanLiveAgentOptions): Promise<LanLiveAgent> {
  const log = opts.log ?? silentLog;
  const { stateDir, cloud } = opts;
  const identity = opts.identity ?? (await loadOrCreateDeviceIdentity(stateDir));
  const keys = await loadDeviceSigningKeys(identity);
  const store = await openAgentStore(stateDir, { log });
  const lanAuth = createLanAuth({
    ...(cloud && { cloudUrl: cloud.url, issuer: cloud.issuer }),
    deviceKey: keys.publicKey,
    deviceId: identity.deviceId,
    stateDir,
    db: store.db,
    log,
  });
  let lanUrl: string | undefined;
  const localPairing = createLocalPairing({
    deviceId: identity.deviceId,
    privateKey: keys.privateKey,
    db: store.db,
    revokeTokens: (id) => lanAuth.revoke(id),
    lanUrl: () => lanUrl,
    log,
    perMinute: 1_000,
  });
  const yard = camera({
    id: CAMERA_ID,
    source: { type: "test", width: 320, height: 240, fps: 10, scene: "moving-objects" },
  });
  const cameraSource = (id: string) => (id === CAMERA_ID ? yard.source : undefined);
  const started: LiveStream[] = [];
  const realRtp = ffmpegRtpSources({ cameraSource, log });
  const rtpSources: RtpSourceFactory = (id, sink) => {
    const stream = realRtp(id, sink);
    if (stream && "stop" in stream) started.push(stream);
    return stream;
  };
  const realFmp4 = ffmpegLiveSources({ cameraSource, log });
  const fmp4Sources: LiveSourceFactory = (id, sink) => {
    const stream = realFmp4(id, sink);
    if (stream && "stop" in stream) started.push(stream);
    return stream;
  };
  const whep = new WhepHub({ sources: rtpSources, stopDelayMs: 300, log });
  const live = new LiveHub({ sources: fmp4Sources, stopDelayMs: 300, log });
  const server = new LanServer({
    app: createLanApp({
      version: "t",
      uptimeS: () => 0,
      verifyToken: lanAuth.verifyToken,
      log,
      publicRoutes: Router().use(
        localPairing.routes,
        livePageRoutes(),
        whepCorsRoutes(),
        localPairPageRoutes(),
      ),
      // The device's one camera, as CameraManager would list it (the real route in a real agent:
      // tap-live.test.ts).
      routes: Router().use(
        whepRoutes({ hub: whep }),
        cameraListRoutes({
          cameras: () => [
            {
              id: CAMERA_ID,
              name: "Yard",
              enabled: true,
              status: "online",
              analysisFps: 5,
              eventActive: false,
              lastEventAt: null,
            },
          ],
        }),
      ),
    }),
    upgrade: liveUpgradeHandler({ hub: live, verifyToken: lanAuth.verifyToken, log, authTimeoutMs: 2_000 }),
    host: "127.0.0.1",
    port: 0,
    log,
  });
  const control = new ControlServer({
    socketPath: controlSocketPath(stateDir),
    control: new FakeCameraControl(),
    localPairing: localPairing.control,
    log,
  });
  const link = cloud ? cloudLink(cloud, identity, lanAuth, log) : undefined;
  const signal = new AbortController().signal;
  await lanAuth.module.start(signal);
  await server.start(signal);
  lanUrl = server.url;
  await Promise.all([whep.start(), live.start(), control.start(signal)]);
  await link?.start(signal);
  const configPath = join(stateDir, "agent.yaml");
  await writeFile(configPath, `stateDir: ${JSON.stringify(stateDir)}\ncloud: { enabled: false }\n`);
  return {
    url: server.url ?? "",
    identity,
    configPath,
    lanAuth,
    localPairing: localPairing.control,
    whep,
    live,
    started,
    linked: () => link?.connected ?? false,
    async close() {
      await link?.stop();
      await server.stop();
      await Promise.all([whep.stop(), live.stop(), control.stop()]);
      await lanAuth.module.stop();
      await store.close();
    },
  };
}

/** The MQTT link with only what revocations need: `grants.revoked` → LanAuth.revoke, as in main.ts. */
function cloudLink(
  cloud: { url: string; mqttUrl: string },
  identity: DeviceIdentity,
  lanAuth: Pick<LanAuth, "revoke">,
  log: Logger,
): MqttLink {
  const commands = new CommandHandler({ control: {} as never, log });
  commands.on("grantsRevoked", ({ userId }) => void lanAuth.revoke(userId));
  const fake = new FakeCameraControl();
  return new MqttLink({
    url: cloud.mqttUrl,
    identity,
    api: new CloudApi({ baseUrl: cloud.url, identity }),
    // No camera registered with the cloud: these tests watch on the LAN only.
    control: { cameras: () => [], host: () => fake.host(), allSettings: () => [] },
    commands,
    agentVersion: "test",
    log,
  });
}
