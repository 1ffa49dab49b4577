import {
  type EVENT_MESSAGE_TYPES,
  encodeMessage,
  type MessageBodyInput,
  parseMessage,
} from "@homecam/shared";
import { type RunningBroker, startBroker } from "../../../src/broker/broker.js";
import { EventIngest } from "../../../src/events/event-ingest.js";
import type { EventIndexSignalMap } from "../../../src/events/event-signals.js";
import { eventsModule } from "../../../src/events/events-module.js";
import type { EventMessage } from "../../../src/events/ingest-store.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// The event index as main.ts wires it: the feature app with eventsModule, an EventIngest
// subscribed to a real broker (port 0), an injected clock, and shortcuts to seed devices, cameras
// and grants. Every signal the ingest emits is recorded.

type EventType = (typeof EVENT_MESSAGE_TYPES)[number];

export interface EventsApp {
  app: FeatureApp;
  broker: RunningBroker;
  ingest: EventIngest;
  /** Signals emitted, in order. */
  signals: Array<{ name: keyof EventIndexSignalMap; arg: unknown }>;
  /** The injected clock: read and move it. */
  clock: { t: number };
  /** A pinned device (its row exists), with `cameras` registered under these local ids. */
  device(localIds: string[]): Promise<{ device: TestDevice; cameras: Record<string, string> }>;
  grant(deviceId: string, userId: string, role: "owner" | "viewer"): Promise<void>;
  /** Apply a fact through the ingest directly (what MQTT and HTTP both end in). */
  apply<T extends EventType>(
    deviceId: string,
    type: T,
    body: MessageBodyInput<T>,
    id?: string,
  ): Promise<boolean>;
  close(): Promise<void>;
}

let frameSeq = 0;

/** A fresh frame id. */
export function frameId(): string {
  return `f${++frameSeq}x${Math.random().toString(36).slice(2, 10)}`;
}

/** The MQTT payload of a fact. */
export function frame<T extends EventType>(type: T, body: MessageBodyInput<T>, id = frameId()): string {
  return encodeMessage(type, body, { id });
}

export async function startEventsApp(database: TestDatabase): Promise<EventsApp> {
  const clock = { t: Date.now() };
  let ingest!: EventIngest;
  const app = await startFeatureApp(database, {
    now: () => clock.t,
    config: { mqtt: { port: 0 } },
    modules: (ctx) => {
      ingest = new EventIngest({ ctx, pruneIntervalMs: 0 });
      return [eventsModule({ ctx, ingest })];
    },
  });
  const broker = await startBroker({
    registry: app.devices,
    log: app.rendezvous.log,
    host: "127.0.0.1",
    port: 0,
    maxPacketBytes: 256 * 1024,
  });
  await ingest.start(broker);
  const signals: EventsApp["signals"] = [];
  const names = [
    "eventStarted",
    "eventUpdated",
    "eventEnded",
    "recordingReady",
    "uploadDone",
    "clipDeleted",
    "retentionWarning",
    "eventDeleted",
  ] as const;
  for (const name of names) ingest.signals.on(name, (arg) => signals.push({ name, arg }));
  const db = app.db.db;
  let seq = 0;
  return {
    app,
    broker,
    ingest,
    signals,
    clock,
    async device(localIds) {
      const device = await createTestDevice();
      await app.devices.verifyDeviceToken(await device.token());
      const cameras: Record<string, string> = {};
      for (const localId of localIds) {
        const id = `cam${++seq}${device.id.slice(0, 8).replace(/[^A-Za-z0-9]/g, "")}`;
        await db
          .insertInto("cameras")
          .values({
            id,
            device_id: device.id,
            local_id: localId,
            name: localId,
            location: null,
            source_kind: "test",
            status: "unknown",
            status_reason: null,
            created_at: clock.t,
            updated_at: clock.t,
            removed_at: null,
          })
          .execute();
        cameras[localId] = id;
      }
      return { device, cameras };
    },
    async grant(deviceId, userId, role) {
      await db
        .insertInto("device_grants")
        .values({ device_id: deviceId, user_id: userId, role, granted_by: null, created_at: clock.t })
        .execute();
    },
    apply(deviceId, type, body, id) {
      const parsed = parseMessage(frame(type, body, id), [type]);
      if (!parsed.ok) throw new Error(parsed.error);
      return ingest.apply(deviceId, parsed.message as EventMessage);
    },
    async close() {
      await ingest.close();
      await broker.close();
      await app.close();
    },
  };
}
