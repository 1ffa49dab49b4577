import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudConfig } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import { type Accounts, createAccounts } from "./accounts/create-accounts.js";
import { apiKeyRoutes } from "./api-keys/api-key-routes.js";
import { ApiKeyService } from "./api-keys/api-key-service.js";
import { loadOrCreateSigningKey } from "./auth/signing-key.js";
import { type RunningBroker, startBroker } from "./broker/broker.js";
import { migrateToLatest } from "./db/migrate.js";
import { type DatabaseDialect, openDatabase } from "./db/open-database.js";
import { AccessLog } from "./devices/access-log.js";
import { cameraRoutes } from "./devices/camera-routes.js";
import { deviceAuthenticator } from "./devices/device-authenticator.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { deviceRoutes } from "./devices/device-routes.js";
import { docsRoutes } from "./docs/docs-routes.js";
import { EventDeletion } from "./events/event-deletion.js";
import { EventIngest, eventsModule } from "./events/events-module.js";
import { createApp } from "./http/create-app.js";
import { lanTokenRoutes } from "./lan-tokens/lan-token-routes.js";
import { type LiveModule, liveModule } from "./live/live-module.js";
import { loadTurnSecret } from "./live/turn-credentials.js";
import { mediaRoutes } from "./media/media-module.js";
import {
  loadOrCreateVapidKeys,
  type NotificationsModule,
  notificationsModule,
} from "./notifications/notifications-module.js";
import { pairingRoutes } from "./pairing/pairing-routes.js";
import { heartbeatRoutes } from "./presence/heartbeat-routes.js";
import { Presence } from "./presence/presence.js";
import { createProviders, type Providers } from "./providers/providers-module.js";
import { CommandRelay } from "./relay/command-relay.js";
import { commandRoutes } from "./relay/command-routes.js";
import type { RendezvousContext } from "./rendezvous/context.js";
import { requestLogMiddleware } from "./request-log/request-log-middleware.js";
import { requestLogRoutes } from "./request-log/request-log-routes.js";
import { RequestLogStore } from "./request-log/request-log-store.js";
import { RequestLogWriter } from "./request-log/request-log-writer.js";
import { systemClock } from "./security/clock.js";
import { settingsRoutes } from "./settings/settings-routes.js";
import { SettingsStore } from "./settings/settings-store.js";
import { createStorage } from "./storage/create-storage.js";
import { createFsDriver } from "./storage/fs-driver.js";
import { fsMediaRoutes } from "./storage/fs-media-routes.js";
import { ticketRoutes } from "./tickets/ticket-routes.js";
import { TicketService } from "./tickets/ticket-service.js";
import { cloudVersion } from "./version.js";
import { pairPageRoutes } from "./viewer/pair-page-routes.js";
import { ViewerHub } from "./ws/viewer-hub.js";

export interface StartCloudOptions {
  config: Readonly<CloudConfig>;
  log: Logger;
  /** Defaults to cloud/package.json's version. */
  version?: string;
  /** How long stop() lets in-flight requests finish before cutting their connections. */
  stopGraceMs?: number;
}

/** A running cloud. */
export interface RunningCloud {
  /** Base URL of the bound HTTP address (the real port when `http.port` was 0). */
  url: string;
  port: number;
  dialect: DatabaseDialect;
  /** The embedded MQTT broker (its real port when `mqtt.port` was 0). */
  mqtt: { port: number; broker: RunningBroker };
  /** Device presence as this instance sees it (tests wait on it). */
  presence: Presence;
  /** Stop accepting, finish or cut open connections, close the database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: the only place real implementations are constructed. Start order is
 * database → migrations → services → MQTT broker (presence, relay and event ingest subscribe to
 * it) → HTTP; stop runs in reverse.
 */
export async function startCloud(opts: StartCloudOptions): Promise<RunningCloud> {
  const { config, log } = opts;
  const version = opts.version ?? cloudVersion();
  const dbLog = moduleLogger(log, "db");
  const db = openDatabase(config.database.url, {
    stateDir: config.stateDir,
    poolSize: config.database.poolSize,
    log: dbLog,
  });
  // The HTTP server exists before the app: the viewer WebSocket hub attaches to it and the
  // feature modules push through the hub.
  const server: Server = createServer();
  let accounts: Accounts | undefined;
  let requestLog: RequestLogWriter | undefined;
  let broker: RunningBroker | undefined;
  let hub: ViewerHub | undefined;
  let presence: Presence | undefined;
  let relay: CommandRelay | undefined;
  let live: LiveModule | undefined;
  let ingest: EventIngest | undefined;
  let notifications: NotificationsModule | undefined;
  let providers: Providers | undefined;
  let deletion: EventDeletion | undefined;
  try {
    await migrateToLatest(db, dbLog);
    const keys = new ApiKeyService({ db: db.db, log: moduleLogger(log, "api-keys") });
    accounts = await createAccounts({ config, log, db, verifyApiKey: keys.verifyApiKey });
    const logStore = new RequestLogStore(db.db);
    const writer = new RequestLogWriter({ sink: logStore, log: moduleLogger(log, "request-log") });
    requestLog = writer;
    // One registry for HTTP and MQTT: the key pinned on one path is the key checked on the other.
    const registry = new DeviceRegistry({ db: db.db });
    const ctx: RendezvousContext = {
      config,
      db: db.db,
      dialect: db.dialect,
      clock: systemClock,
      log: moduleLogger(log, "rendezvous"),
      registry,
      accessLog: new AccessLog(db.db, systemClock, moduleLogger(log, "access-log")),
    };
    hub = new ViewerHub({
      db: db.db,
      authenticate: accounts.authenticate,
      clock: systemClock,
      log: moduleLogger(log, "ws"),
    });
    presence = new Presence({ ctx, push: hub, sharedBus: Boolean(config.redis.url) });
    relay = new CommandRelay({ config, log: moduleLogger(log, "relay"), clock: systemClock, presence });
    // WHEP relayed to devices; a revoked viewer's live sessions end with their grant.
    const viewerHub = hub;
    live = liveModule({
      ctx,
      presence,
      turnSecret: await loadTurnSecret(config.rtc),
      onRevoked: (listener) => viewerHub.onRevoked(listener),
    });
    ingest = new EventIngest({ ctx });
    notifications = notificationsModule({
      ctx,
      push: hub,
      mailer: accounts.mailer,
      presence,
      ingest,
      vapidKeys: await loadOrCreateVapidKeys(config.stateDir),
    });
    // The embedded storage: always mounted, so clips written here stay readable whatever
    // provider a user chooses later.
    const fsStorage = await createFsDriver({ stateDir: config.stateDir, publicUrl: config.http.publicUrl });
    const defaultStorage =
      config.storage.driver === "fs"
        ? fsStorage
        : await createStorage(config.storage, {
            stateDir: config.stateDir,
            publicUrl: config.http.publicUrl,
            log: moduleLogger(log, "storage"),
          });
    // Where each upload goes and where each stored object is read from: the owner's own bucket,
    // the admin's default provider, or the deployment's configured store.
    providers = await createProviders({
      db: db.db,
      stateDir: config.stateDir,
      defaultStorage,
      fsStorage,
      clock: systemClock,
      log,
      allowPrivateUserEndpoints: config.userStorage.allowPrivateEndpoints,
    });
    deletion = new EventDeletion({
      ctx,
      signals: ingest.signals,
      storage: providers.resolver,
      commander: relay,
    });
    const viewers = hub;
    const app = createApp({
      config,
      log: moduleLogger(log, "http"),
      db,
      version,
      authenticate: accounts.authenticate,
      authenticateDevice: deviceAuthenticator(registry),
      requestLog: requestLogMiddleware((r) => writer.record(r)),
      apiModules: [
        accounts.apiModule,
        settingsRoutes({ store: new SettingsStore({ db: db.db, dialect: db.dialect }) }),
        apiKeyRoutes({ keys }),
        ticketRoutes({ tickets: new TicketService({ db: db.db }) }),
        requestLogRoutes({ store: logStore }),
        pairingRoutes({ ctx, push: viewers, watching: (id) => viewers.watching(id) }),
        cameraRoutes({ ctx, commander: relay, push: viewers }),
        deviceRoutes({ ctx, commander: relay, push: viewers }),
        // The same key file accounts loaded: LAN tokens verify against the published JWKS.
        lanTokenRoutes({ ctx, key: await loadOrCreateSigningKey(config.stateDir) }),
        commandRoutes({ ctx, commander: relay }),
        live.apiModule,
        heartbeatRoutes({ ctx, presence }),
        eventsModule({ ctx, ingest }),
        notifications.apiModule,
        providers.apiModule,
        mediaRoutes({ ctx, ingest, storage: providers.resolver }),
        fsMediaRoutes(fsStorage, moduleLogger(log, "storage")),
        pairPageRoutes(),
        docsRoutes(),
      ],
    });
    broker = await startBroker({ registry, log: moduleLogger(log, "mqtt"), ...config.mqtt });
    await presence.start(broker);
    await relay.start(broker);
    await live.start(broker);
    await ingest.start(broker);
    notifications.start();
    await deletion.start(broker);
    writer.start();
    server.on("request", app);
    hub.attach(server);
    await listen(server, config.http.port, config.http.host);
  } catch (err) {
    await hub?.close();
    await deletion?.close();
    await live?.close();
    await relay?.close();
    await ingest?.close();
    await presence?.close();
    await notifications?.close();
    await broker?.close();
    await requestLog?.stop();
    await accounts?.close();
    await providers?.close();
    await db.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${urlHost(address.address)}:${address.port}`,
    port: address.port,
    dialect: db.dialect,
    mqtt: { port: broker.port, broker },
    presence,
    stop() {
      stopping ??= (async () => {
        // Open viewer sockets would keep server.close() waiting: close them first.
        await hub?.close();
        await closeServer(server, opts.stopGraceMs ?? 5000);
        await deletion?.close();
        await live?.close();
        await relay?.close();
        await ingest?.close();
        await presence?.close();
        await notifications?.close();
        await broker?.close();
        await requestLog?.stop();
        await accounts?.close();
        await providers?.close();
        await db.close();
      })();
      return stopping;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

// server.close() alone waits for every keep-alive connection to time out; idle ones are closed at
// once, busy ones get `graceMs` to finish their response before they are cut.
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}
