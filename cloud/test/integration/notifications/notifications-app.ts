import {
  type CloudConfigInput,
  type EVENT_MESSAGE_TYPES,
  encodeMessage,
  type MessageBodyInput,
  parseMessage,
} from "@homecam/shared";
import { type RunningBroker, startBroker } from "../../../src/broker/broker.js";
import { EventIngest } from "../../../src/events/event-ingest.js";
import type { EventMessage } from "../../../src/events/ingest-store.js";
import { createMailer } from "../../../src/mail/create-mailer.js";
import {
  loadOrCreateVapidKeys,
  type NotificationsModule,
  notificationsModule,
} from "../../../src/notifications/notifications-module.js";
import { Presence } from "../../../src/presence/presence.js";
import { VIEWER_WS_PATH, ViewerHub } from "../../../src/ws/viewer-hub.js";
import type { TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { type FakeAgent, startFakeAgent } from "../../helpers/fake-agent.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";

// The notification centre as main.ts wires it: the feature app (accounts, settings) with the
// viewer hub, presence, the event ingest on a real broker (port 0) and the notifications module,
// an injected clock, and shortcuts to seed devices, cameras and grants.

type EventType = (typeof EVENT_MESSAGE_TYPES)[number];

export interface NotificationsStack {
  app: FeatureApp;
  broker: RunningBroker;
  ingest: EventIngest;
  presence: Presence;
  hub: ViewerHub;
  notifications: NotificationsModule;
  /** The injected clock: read and move it. */
  clock: { t: number };
  /** `ws://…/api/ws` */
  wsUrl: string;
  /** A pinned device named `name` with cameras (local id → name); returns the cloud camera ids. */
  device(
    cameras: Record<string, string>,
    name?: string,
  ): Promise<{ device: TestDevice; cameras: Record<string, string> }>;
  grant(deviceId: string, userId: string, role: "owner" | "viewer"): Promise<void>;
  /** Apply a fact through the ingest (what MQTT and POST /api/events both end in). */
  apply<T extends EventType>(deviceId: string, type: T, body: MessageBodyInput<T>): Promise<boolean>;
  /** Connect a fake agent for `device` (reports online); closed with the stack. */
  agent(device: TestDevice): Promise<FakeAgent>;
  /** Every queued trigger and background delivery done. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotificationsStackOptions {
  /** `mail.smtpUrl`: e-mail through a real SMTP server; without it, no e-mail channel. */
  smtpUrl?: string;
  notifications?: CloudConfigInput["notifications"];
}

let frameSeq = 0;
let cameraSeq = 0;

export async function startNotificationsStack(
  database: TestDatabase,
  opts: NotificationsStackOptions = {},
): Promise<NotificationsStack> {
  const clock = { t: Date.now() };
  let hub!: ViewerHub;
  let presence!: Presence;
  let ingest!: EventIngest;
  let notifications!: NotificationsModule;
  const vapidKeys = await loadOrCreateVapidKeys(database.stateDir);
  const app = await startFeatureApp(database, {
    now: () => clock.t,
    config: {
      mqtt: { port: 0 },
      notifications: { webPush: { allowInsecureLocalEndpoints: true }, ...opts.notifications },
      ...(opts.smtpUrl ? { mail: { smtpUrl: opts.smtpUrl, from: "homecam <cloud@homecam.test>" } } : {}),
    },
    modules: (ctx, accounts) => {
      hub = new ViewerHub({
        db: ctx.db,
        authenticate: accounts.authenticate,
        clock: ctx.clock,
        log: ctx.log,
      });
      presence = new Presence({ ctx, push: hub, sweepIntervalMs: 0 });
      ingest = new EventIngest({ ctx, pruneIntervalMs: 0 });
      notifications = notificationsModule({
        ctx,
        push: hub,
        mailer: opts.smtpUrl ? createMailer(ctx.config.mail, ctx.log, ctx.clock) : null,
        presence,
        ingest,
        vapidKeys,
      });
      return [notifications.apiModule];
    },
  });
  const broker = await startBroker({
    registry: app.devices,
    log: app.rendezvous.log,
    host: "127.0.0.1",
    port: 0,
    maxPacketBytes: 256 * 1024,
  });
  await presence.start(broker);
  await ingest.start(broker);
  notifications.start();
  hub.attach(app.server);
  const agents: FakeAgent[] = [];
  const db = app.db.db;
  return {
    app,
    broker,
    ingest,
    presence,
    hub,
    notifications,
    clock,
    wsUrl: `${app.url.replace(/^http/, "ws")}${VIEWER_WS_PATH}`,
    async device(cameras, name = "Hall host") {
      const device = await createTestDevice();
      await app.devices.verifyDeviceToken(await device.token());
      await db.updateTable("devices").set({ name }).where("id", "=", device.id).execute();
      const ids: Record<string, string> = {};
      for (const [localId, cameraName] of Object.entries(cameras)) {
        const id = `ncam${++cameraSeq}x${device.id.slice(0, 8).replace(/[^A-Za-z0-9]/g, "")}`;
        await db
          .insertInto("cameras")
          .values({
            id,
            device_id: device.id,
            local_id: localId,
            name: cameraName,
            location: null,
            source_kind: "test",
            status: "unknown",
            status_reason: null,
            created_at: clock.t,
            updated_at: clock.t,
            removed_at: null,
          })
          .execute();
        ids[localId] = id;
      }
      return { device, cameras: ids };
    },
    async grant(deviceId, userId, role) {
      await db
        .insertInto("device_grants")
        .values({ device_id: deviceId, user_id: userId, role, granted_by: null, created_at: clock.t })
        .execute();
    },
    apply(deviceId, type, body) {
      const frame = encodeMessage(type, body, {
        id: `n${++frameSeq}x${Math.random().toString(36).slice(2, 8)}`,
      });
      const parsed = parseMessage(frame, [type]);
      if (!parsed.ok) throw new Error(parsed.error);
      return ingest.apply(deviceId, parsed.message as EventMessage);
    },
    async agent(device) {
      const agent = await startFakeAgent({ brokerPort: broker.port, device });
      agents.push(agent);
      return agent;
    },
    async settle() {
      await ingest.idle();
      await presence.idle();
      await notifications.idle();
    },
    async close() {
      for (const a of agents) a.client.end(true);
      await hub.close();
      await notifications.close();
      await ingest.close();
      await presence.close();
      await broker.close();
      await app.close();
    },
  };
}
