import { readBoardFacts, selectBoard } from "@homecam/hardware";
import type { AgentConfig } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import { Router } from "express";
import { CameraManager } from "./camera/camera-manager.js";
import { clipsDir } from "./camera/clip-paths.js";
import type { CameraControl } from "./camera/control.js";
import { startupSummary } from "./camera/startup-summary.js";
import { CloudApi } from "./cloud/cloud-api.js";
import { CommandHandler } from "./cloud/command-handler.js";
import { EventDeletion } from "./cloud/event-deletion.js";
import { MqttLink } from "./cloud/mqtt-link.js";
import { OutboxSender } from "./cloud/outbox-sender.js";
import { PairingManager } from "./cloud/pairing-manager.js";
import { createUploader } from "./cloud/upload-setup.js";
import { ControlServer } from "./control/control-server.js";
import { controlSocketPath } from "./control/protocol.js";
import { cameraListRoutes } from "./http/camera-list-routes.js";
import { createLanApp } from "./http/lan-app.js";
import { LanServer } from "./http/lan-server.js";
import { localPairPageRoutes } from "./http/local-pair-script.js";
import { loadOrCreateDeviceIdentity } from "./identity/device-identity.js";
import { createIngest } from "./ingest/create-ingest.js";
import { createLanAuth } from "./lan-auth/lan-auth.js";
import { loadDeviceSigningKeys } from "./lan-pairing/device-signing-key.js";
import { createLocalPairing } from "./lan-pairing/local-pairing.js";
import { ModuleRunner, type ModuleStatus } from "./lifecycle.js";
import { createLiveView } from "./live/live-view.js";
import { attachRtcSignalling } from "./live/rtc-signalling.js";
import { createMdnsAdvertiser, isLoopbackHost } from "./mdns/mdns-advertiser.js";
import type { AgentModule } from "./module.js";
import { StorageGuard } from "./retention/storage-guard.js";
import { openAgentStore } from "./store/agent-store.js";
import { MultipartUploadsRepo } from "./store/multipart-uploads-repo.js";
import { OutboxRepo, OutboxWriter } from "./store/outbox-repo.js";
import { agentRepos } from "./store/repos.js";

export interface StartAgentOptions {
  config: Readonly<AgentConfig>;
  log: Logger;
  version: string;
}

/** A running agent. */
export interface RunningAgent {
  /** Stop every module in reverse order, then close the database. Safe to call more than once. */
  stop(): Promise<void>;
  /** The LAN server's URL, or null when it failed to start (see `status()`). */
  readonly lanUrl: string | null;
  /** The cameras: status, snapshot, record now (served on the control socket). */
  readonly control: CameraControl;
  status(): ModuleStatus[];
}

/**
 * The composition root: the only place that builds real implementations and wires them together.
 * The database opens first and a failure there is fatal (throws): without it there are no events
 * to record. Module failures are not fatal: they are isolated and reported by `status()`.
 */
export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  const { config, log, version } = opts;
  const startedAt = Date.now();
  // The device key is created on first start even when the cloud is off, so the device id is
  // stable from day one (pairing later does not change who the device is).
  const identity = await loadOrCreateDeviceIdentity(config.stateDir);
  log.info({ deviceId: identity.deviceId }, "device identity loaded");
  // The same key signs LAN tokens for viewers paired with `homecam pair --local` (no cloud).
  const deviceKeys = await loadDeviceSigningKeys(identity);
  const store = await openAgentStore(config.stateDir, { log: moduleLogger(log, "store") });
  // With the cloud off nothing leaves the device, so no outbox rows are written at all.
  const outbox = config.cloud.enabled ? new OutboxWriter({ log: moduleLogger(log, "outbox") }) : undefined;
  const repos = agentRepos(store.db, Date.now, { ...(outbox && { outbox }) });
  const storageLog = moduleLogger(log, "storage");

  // Retention: first, so a disk found full at boot is handled before capture adds to it.
  const storageGuard = new StorageGuard({
    index: repos.clipIndex,
    dir: config.stateDir,
    clipsDir: clipsDir(config.stateDir),
    settings: () => ({
      storageDays: config.storage.days,
      maxDiskMB: config.storage.maxDiskMB,
      minFreeMB: config.storage.minFreeMB,
    }),
    log: storageLog,
  });
  // Browser cameras (/capture, WHIP): the capture of each reads its publisher's RTP from the ingest.
  const ingest = createIngest({
    stateDir: config.stateDir,
    cameraSource: (id) => cameras.liveSource(id),
    log,
  });
  const cameras = new CameraManager({
    config,
    resolveBrowser: ingest.resolveBrowser,
    repos,
    log,
    startedAt,
    storage: () => storageGuard.status(),
    // Each new clip may push the clips over their budget: apply the policy at once.
    onClipsWritten: () => {
      storageGuard.sweep().catch((err: unknown) => storageLog.error({ err }, "storage sweep failed"));
    },
  });
  const cloudApi = config.cloud.enabled ? new CloudApi({ baseUrl: config.cloud.url, identity }) : undefined;
  const pairing = cloudApi
    ? new PairingManager({ api: cloudApi, log: moduleLogger(log, "pairing") })
    : undefined;
  // LAN tokens are cloud-signed (checked with the cached JWKS) or device-signed for viewers paired
  // locally (checked with the device's own key), so the LAN works with `cloud.enabled: false` too.
  const lanAuth = createLanAuth({
    ...(config.cloud.enabled && {
      cloudUrl: config.cloud.url,
      issuer: config.cloud.issuer ?? config.cloud.url,
    }),
    deviceKey: deviceKeys.publicKey,
    deviceId: identity.deviceId,
    stateDir: config.stateDir,
    db: store.db,
    log: moduleLogger(log, "lan-auth"),
  });
  const localPairing = createLocalPairing({
    deviceId: identity.deviceId,
    privateKey: deviceKeys.privateKey,
    db: store.db,
    revokeTokens: (viewerId) => revokeUser(viewerId),
    lanUrl: () => lanServer.url,
    log: moduleLogger(log, "lan-pairing"),
  });
  const controlServer = new ControlServer({
    socketPath: controlSocketPath(config.stateDir),
    control: cameras,
    log: moduleLogger(log, "control"),
    ...(pairing && { pairing }),
    localPairing: localPairing.control,
  });
  const httpLog = moduleLogger(log, "http");
  const liveLog = moduleLogger(log, "live");
  const live = createLiveView({ cameras, log: liveLog });
  // A revoked user (a cloud grant, or a local viewer): their tokens are refused from now on, and
  // whatever they watch or publish is cut at once.
  const revokeUser = async (userId: string): Promise<void> => {
    const cut = live.endUser(userId) + ingest.hub.endUser(userId);
    if (cut > 0) liveLog.info({ userId, cut }, "live views and publishing of a revoked user ended");
    await lanAuth.revoke(userId);
  };
  const lanApp = createLanApp({
    version,
    uptimeS: () => Math.floor((Date.now() - startedAt) / 1000),
    verifyToken: lanAuth.verifyToken,
    log: httpLog,
    // No token: POST /api/local/pair and /refresh (the PIN is the credential) and the live page.
    publicRoutes: Router().use(
      localPairing.routes,
      localPairPageRoutes(),
      live.publicRoutes,
      ingest.publicRoutes,
    ),
    routes: Router().use(live.routes, ingest.routes, cameraListRoutes(cameras)),
    ...(pairing && { pairing }),
  });
  const lanServer = new LanServer({
    app: lanApp,
    host: config.http.host,
    port: config.http.port,
    log: httpLog,
    upgrade: live.upgrade(lanAuth.verifyToken),
  });

  // Start order; stop is the reverse (the LAN server closes before the cameras, the cameras end
  // their events and write the last clips before the guard and the database go).
  const modules: AgentModule[] = [
    storageGuard,
    ingest.module, // before the cameras: it stops after their captures stopped reading it
    cameras,
    controlServer,
    // Before the LAN server, so the cached keys are loaded when the first viewer arrives.
    lanAuth.module,
    lanServer,
    // After the LAN server, so it stops first and closes its viewers' streams.
    ...live.modules,
    // Advertised only when the LAN can reach the server (not on loopback, e.g. in tests).
    ...(config.http.mdns && !isLoopbackHost(config.http.host)
      ? [
          createMdnsAdvertiser({
            deviceId: identity.deviceId,
            port: () => lanServer.port,
            log: moduleLogger(log, "mdns"),
          }),
        ]
      : []),
  ];
  // The cloud link goes last: it reports the cameras' state, so they start first; on stop it
  // publishes "offline (shutdown)" before the cameras go. Not built at all when the cloud is off:
  // nothing leaves the device then.
  if (cloudApi) {
    // Clips go to the cloud's storage once it knows them (the sender delivers recording.ready);
    // none with `cloud.upload.enabled: false` (local-only clips, events still sync).
    const uploader = createUploader(config.cloud.upload, {
      api: cloudApi,
      recordings: repos.recordings,
      multipart: new MultipartUploadsRepo(store.db),
      log: moduleLogger(log, "upload"),
    });
    const commandLog = moduleLogger(log, "commands");
    const events = new EventDeletion({
      events: repos.events,
      recordings: repos.recordings,
      ...(uploader && { cancelUploads: (ids: readonly string[]) => uploader.cancel(ids) }),
      log: commandLog,
    });
    const commands = new CommandHandler({ control: cameras, log: commandLog, events });
    commands.on("grantsRevoked", ({ userId }) => {
      revokeUser(userId).catch((err: unknown) =>
        commandLog.error({ err, userId }, "cannot record a revocation"),
      );
    });
    const link = new MqttLink({
      url: config.cloud.mqttUrl,
      identity,
      api: cloudApi,
      control: cameras,
      commands,
      agentVersion: version,
      log: moduleLogger(log, "cloud"),
    });
    // WHEP relayed by the cloud: offers arrive on rtc/{session}/in, answers leave on …/out.
    attachRtcSignalling({ hub: live.whepHub, link, deviceId: identity.deviceId, log: liveLog });
    // After the link, so it stops first and can wait for acknowledgements still in flight.
    const sender = new OutboxSender({
      link,
      repo: new OutboxRepo(store.db),
      ...(outbox && { writer: outbox }),
      deviceId: identity.deviceId,
      log: moduleLogger(log, "outbox"),
      onDelivered: (row) => {
        if (row.type === "recording.ready" && row.subject_id) uploader?.known(row.subject_id);
      },
    });
    modules.push(link, sender, ...(uploader ? [uploader] : []));
  }
  const runner = new ModuleRunner({ modules, log: moduleLogger(log, "lifecycle") });
  await runner.start();

  const summary = startupSummary(config.cameras, selectBoard(await readBoardFacts()));
  log.info({ board: summary.board, cameras: summary.cameras }, summary.text);

  let stopping: Promise<void> | undefined;
  return {
    lanUrl: lanServer.url ?? null,
    control: cameras,
    status: () => runner.status(),
    stop: () => {
      stopping ??= runner.stop().finally(() => store.close());
      return stopping;
    },
  };
}
