import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RequestHandler } from "express";
import { EventIngest } from "../../../src/events/event-ingest.js";
import type { EventIndexSignalMap } from "../../../src/events/event-signals.js";
import { eventsModule } from "../../../src/events/events-module.js";
import { mediaRoutes } from "../../../src/media/media-module.js";
import { createFsDriver, type FsStorageDriver } from "../../../src/storage/fs-driver.js";
import { fsMediaRouter } from "../../../src/storage/fs-media-routes.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { call, type FeatureApp, startFeatureApp, type TestResponse } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { frameId } from "../events/events-app.js";

// The media path as main.ts wires it: the feature app with the events module, the media routes
// and the fs driver's own routes (its URLs point back at this app), one injected clock for all.
// No broker: recordings arrive through `POST /api/events`, the ingest's HTTP twin.

const run = promisify(execFile);

export interface MediaApp {
  app: FeatureApp;
  fs: FsStorageDriver;
  ingest: EventIngest;
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

export async function startMediaApp(database: TestDatabase): Promise<MediaApp> {
  const clock = { t: Date.now() };
  let ingest!: EventIngest;
  // The fs driver needs the app's URL, known only once it listens: its router is mounted first
  // and delegates once the driver exists.
  let fsRoutes: RequestHandler | undefined;
  let fs: FsStorageDriver | undefined;
  const app = await startFeatureApp(database, {
    now: () => clock.t,
    modules: (ctx) => {
      ingest = new EventIngest({ ctx, pruneIntervalMs: 0 });
      return [
        eventsModule({ ctx, ingest }),
        mediaRoutes({
          ctx,
          ingest,
          storageFor: () => {
            if (!fs) throw new Error("fs driver not ready");
            return fs;
          },
        }),
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
  const uploads: MediaApp["uploads"] = [];
  ingest.signals.on("uploadDone", (arg) => uploads.push(arg));
  const db = app.db.db;
  let seq = 0;
  return {
    app,
    fs,
    ingest,
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
