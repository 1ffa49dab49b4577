import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RequestHandler } from "express";
import { type RunningBroker, startBroker } from "../../../src/broker/broker.js";
import { EventDeletion } from "../../../src/events/event-deletion.js";
import { EventIngest } from "../../../src/events/event-ingest.js";
import type { EventIndexSignalMap } from "../../../src/events/event-signals.js";
import { eventsModule } from "../../../src/events/events-module.js";
import { mediaRoutes } from "../../../src/media/media-module.js";
import { Presence } from "../../../src/presence/presence.js";
import { loadStorageKey } from "../../../src/providers/credential-sealer.js";
import { buildProviders, type Providers } from "../../../src/providers/providers-module.js";
import { CommandRelay } from "../../../src/relay/command-relay.js";
import { createFsDriver, type FsStorageDriver } from "../../../src/storage/fs-driver.js";
import { fsMediaRouter } from "../../../src/storage/fs-media-routes.js";
import type { StorageDriver } from "../../../src/storage/storage-driver.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { type FakeAgent, type FakeAgentOptions, startFakeAgent } from "../../helpers/fake-agent.js";
import { call, type FeatureApp, startFeatureApp, type TestResponse } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { frameId } from "../events/events-app.js";

// The media path as main.ts wires it: the feature app with the events module, the storage
// providers (resolver and routes), the media routes and the fs driver's own routes (its URLs point
// back at this app), one injected clock for all. Recordings arrive through `POST /api/events`, the
// ingest's HTTP twin; with `relay`, a real broker, presence, command relay and the event deletion
// follow-up run too, for fake agents to connect to.

const run = promisify(execFile);

export interface MediaAppOptions {
  /** The deployment's configured store (config `storage`); the fs driver unless told. */
  defaultStorage?: StorageDriver;
  /** Start a broker, presence, the command relay and the event deletion follow-up. */
  relay?: boolean;
  /** CREDENTIALS_DIRECTORY and friends for the credentials key (default: none, a state-dir key). */
  env?: NodeJS.ProcessEnv;
  /** Users' buckets on private addresses (default true: the tests' s3rver listens on 127.0.0.1). */
  allowPrivateUserEndpoints?: boolean;
}

export interface MediaApp {
  app: FeatureApp;
  fs: FsStorageDriver;
  ingest: EventIngest;
  providers: Providers;
  /** Present with `relay`. */
  broker?: RunningBroker;
  presence?: Presence;
  deletion?: EventDeletion;
  /** A fake agent on the broker (with `relay`); closed with the app. */
  agent(opts: Omit<FakeAgentOptions, "brokerPort">): Promise<FakeAgent>;
  /** `uploadDone` signals emitted, in order. */
  uploads: Array<EventIndexSignalMap["uploadDone"]>;
  clock: { t: number };
  /** A pinned device with one camera (`localId`, display name `name`); returns the camera's cloud id. */
  device(localId: string, name: string): Promise<{ device: TestDevice; cameraId: string }>;
  grant(deviceId: string, userId: string, role: "owner" | "viewer"): Promise<void>;
  /** `call` as the device. */
  asDevice(device: TestDevice, method: string, path: string, body?: unknown): Promise<TestResponse>;
  close(): Promise<void>;
}

/** A driver whose calls go to `get()`: the fs driver exists only once the app listens. */
function lateDriver(get: () => StorageDriver): StorageDriver {
  return {
    kind: "fs",
    multipart: false,
    presignPut: (key, opts) => get().presignPut(key, opts),
    presignGet: (key, opts) => get().presignGet(key, opts),
    head: (key) => get().head(key),
    delete: (key) => get().delete(key),
    putTest: () => get().putTest(),
  };
}

export async function startMediaApp(database: TestDatabase, opts: MediaAppOptions = {}): Promise<MediaApp> {
  const clock = { t: Date.now() };
  const key = await loadStorageKey(database.stateDir, opts.env ?? {});
  let ingest!: EventIngest;
  let providers!: Providers;
  let presence: Presence | undefined;
  let relay: CommandRelay | undefined;
  // The fs driver needs the app's URL, known only once it listens: its router is mounted first
  // and delegates once the driver exists.
  let fsRoutes: RequestHandler | undefined;
  let fs: FsStorageDriver | undefined;
  const fsLate = lateDriver(() => {
    if (!fs) throw new Error("fs driver not ready");
    return fs;
  });
  const app = await startFeatureApp(database, {
    now: () => clock.t,
    ...(opts.relay ? { config: { mqtt: { port: 0 }, relay: { commandTimeoutMs: 1000 } } } : {}),
    modules: (ctx) => {
      ingest = new EventIngest({ ctx, pruneIntervalMs: 0 });
      providers = buildProviders({
        db: ctx.db,
        key,
        defaultStorage: opts.defaultStorage ?? fsLate,
        fsStorage: fsLate,
        clock: ctx.clock,
        log: ctx.log,
        allowPrivateUserEndpoints: opts.allowPrivateUserEndpoints ?? true,
      });
      if (opts.relay) {
        presence = new Presence({ ctx, push: { toUsers() {}, revoked() {} }, sweepIntervalMs: 0 });
        relay = new CommandRelay({ config: ctx.config, log: ctx.log, clock: ctx.clock, presence });
      }
      return [
        eventsModule({ ctx, ingest }),
        providers.apiModule,
        mediaRoutes({ ctx, ingest, storage: providers.resolver }),
        (_registry, router) => {
          router.use((req, res, next) => (fsRoutes ? fsRoutes(req, res, next) : next()));
        },
      ];
    },
  });
  fs = await createFsDriver({
    stateDir: database.stateDir,
    publicUrl: app.url,
    clock: { now: () => clock.t },
  });
  fsRoutes = fsMediaRouter(fs, silentLogger());
  let broker: RunningBroker | undefined;
  let deletion: EventDeletion | undefined;
  if (presence && relay) {
    broker = await startBroker({
      registry: app.devices,
      log: app.rendezvous.log,
      host: "127.0.0.1",
      port: 0,
      maxPacketBytes: 256 * 1024,
    });
    await presence.start(broker);
    await relay.start(broker);
    deletion = new EventDeletion({
      ctx: app.rendezvous,
      signals: ingest.signals,
      storage: providers.resolver,
      commander: relay,
      sweepIntervalMs: 0,
    });
    await deletion.start(broker);
  }
  const agents: FakeAgent[] = [];
  const uploads: MediaApp["uploads"] = [];
  ingest.signals.on("uploadDone", (arg) => uploads.push(arg));
  const db = app.db.db;
  let seq = 0;
  return {
    app,
    fs,
    ingest,
    providers,
    ...(broker ? { broker } : {}),
    ...(presence ? { presence } : {}),
    ...(deletion ? { deletion } : {}),
    async agent(o) {
      if (!broker) throw new Error("started without relay");
      const agent = await startFakeAgent({ ...o, brokerPort: broker.port });
      agents.push(agent);
      return agent;
    },
    uploads,
    clock,
    async device(localId, name) {
      const device = await createTestDevice();
      await app.devices.verifyDeviceToken(await device.token());
      const cameraId = `cam${++seq}${device.id.slice(0, 8).replace(/[^A-Za-z0-9]/g, "")}`;
      await db
        .insertInto("cameras")
        .values({
          id: cameraId,
          device_id: device.id,
          local_id: localId,
          name,
          location: null,
          source_kind: "test",
          status: "unknown",
          status_reason: null,
          created_at: clock.t,
          updated_at: clock.t,
          removed_at: null,
        })
        .execute();
      return { device, cameraId };
    },
    async grant(deviceId, userId, role) {
      await db
        .insertInto("device_grants")
        .values({ device_id: deviceId, user_id: userId, role, granted_by: null, created_at: clock.t })
        .execute();
    },
    async asDevice(device, method, path, body) {
      return call(app.url, method, path, { auth: `Bearer ${await device.token()}`, body });
    },
    async close() {
      await ingest.idle();
      for (const a of agents) a.client.end(true);
      await deletion?.close();
      await relay?.close();
      await presence?.close();
      await broker?.close();
      await providers.close();
      await app.close();
    },
  };
}

/** `POST /api/events` of a `recording.ready` fact, as the agent's outbox sends it. */
export function reportRecording(
  m: MediaApp,
  device: TestDevice,
  body: {
    recordingId: string;
    cameraId: string;
    startedAt: number;
    sizeBytes: number;
    eventId?: string | null;
  },
): Promise<TestResponse> {
  return m.asDevice(device, "POST", "/api/events", {
    id: frameId(),
    type: "recording.ready",
    body: {
      eventId: null,
      index: 0,
      endedAt: body.startedAt + 2000,
      durationMs: 2000,
      format: "mp4",
      ...body,
    },
  });
}

/** Duration in seconds ffprobe reads from `bytes` (it must accept them as a media file). */
export async function probeDuration(bytes: Buffer): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "hc-media-probe-"));
  try {
    const file = join(dir, "clip.mp4");
    await writeFile(file, bytes);
    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "format=duration",
      "-of",
      "default=noprint_wrappers=1:nokey=1",
      file,
    ]);
    return Number(stdout.trim());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
