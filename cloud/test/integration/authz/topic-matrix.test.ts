import {
  encodeMessage,
  MESSAGE_TYPES,
  type MessageType,
  messageTypesFor,
  parseTopic,
  type TopicKind,
} from "@homecam/shared";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../../../src/broker/broker.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { type FeatureApp, startFeatureApp } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";

// The MQTT half of the authorization matrix: every topic of the layout × every principal, against
// the real broker. The expectations are written out by hand (not derived from acl.ts), so a change
// of the rules has to change this table too. Users (owner, viewer, revoked viewer, stranger) never
// talk MQTT: their credentials must not even open a connection.

type TopicKey = Exclude<TopicKind, "rtc"> | "rtc/in" | "rtc/out";
type Verdict = "allow" | "deny";
interface TopicRow {
  /** The topic of device `d`. */
  topic: (d: string) => string;
  /** A valid message for it. */
  message: () => string;
  /** May `d` itself publish / subscribe? Another device may do neither, ever. */
  device: { pub: Verdict; sub: Verdict };
  /** May the cloud's service identity publish / subscribe? */
  service: { pub: Verdict; sub: Verdict };
}

const MATRIX: Record<TopicKey, TopicRow> = {
  status: {
    topic: (d) => `hc/v1/dev/${d}/status`,
    message: () => encodeMessage("device.status", { state: "online" }),
    device: { pub: "allow", sub: "deny" },
    service: { pub: "deny", sub: "allow" },
  },
  telemetry: {
    topic: (d) => `hc/v1/dev/${d}/telemetry`,
    message: () =>
      encodeMessage("device.telemetry", {
        cpuPercent: 1,
        memoryMB: 1,
        diskFreeMB: 1,
        diskTotalMB: 2,
        uptimeS: 1,
        cameras: [],
      }),
    device: { pub: "allow", sub: "deny" },
    service: { pub: "deny", sub: "allow" },
  },
  evt: {
    topic: (d) => `hc/v1/dev/${d}/evt/event.started`,
    message: () =>
      encodeMessage("event.started", {
        eventId: "e1",
        cameraId: "cam1",
        type: "motion",
        startedAt: 1,
        score: 0.5,
      }),
    device: { pub: "allow", sub: "deny" },
    service: { pub: "deny", sub: "allow" },
  },
  req: {
    topic: (d) => `hc/v1/dev/${d}/req/r1`,
    message: () => encodeMessage("command", { name: "snapshot", args: { cameraId: "cam1" } }),
    device: { pub: "deny", sub: "allow" },
    service: { pub: "allow", sub: "deny" },
  },
  res: {
    topic: (d) => `hc/v1/dev/${d}/res/r1`,
    message: () => encodeMessage("command.result", { ok: true }),
    device: { pub: "allow", sub: "deny" },
    service: { pub: "deny", sub: "allow" },
  },
  "rtc/in": {
    topic: (d) => `hc/v1/dev/${d}/rtc/s1/in`,
    message: () => encodeMessage("rtc.offer", { cameraId: "cam1", sdp: "v=0" }),
    device: { pub: "deny", sub: "allow" },
    service: { pub: "allow", sub: "deny" },
  },
  "rtc/out": {
    topic: (d) => `hc/v1/dev/${d}/rtc/s1/out`,
    message: () => encodeMessage("rtc.answer", { sdp: "v=0" }),
    device: { pub: "allow", sub: "deny" },
    service: { pub: "deny", sub: "allow" },
  },
};

const base = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 as const };

describe("authorization matrix: MQTT topics", () => {
  let database: TestDatabase;
  let app: FeatureApp;
  let broker: RunningBroker;
  let dev: TestDevice;
  let other: TestDevice;
  const users: Record<"owner" | "viewer" | "revoked" | "stranger", string> = {
    owner: "",
    viewer: "",
    revoked: "",
    stranger: "",
  };
  const clients: MqttClient[] = [];
  const url = () => `mqtt://127.0.0.1:${broker.port}`;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    app = await startFeatureApp(database);
    broker = await startBroker({
      registry: app.devices,
      log: silentLogger(),
      host: "127.0.0.1",
      port: 0,
      maxPacketBytes: 256 * 1024,
    });
    dev = await createTestDevice();
    other = await createTestDevice();
    for (const k of Object.keys(users) as (keyof typeof users)[]) users[k] = await app.createUser();
    // Pin the device and give the users their grants, as pairing would.
    await app.devices.verifyDeviceToken(await dev.token());
    const now = Date.now();
    await app.db.db
      .insertInto("device_grants")
      .values([
        { device_id: dev.id, user_id: users.owner, role: "owner", granted_by: null, created_at: now },
        {
          device_id: dev.id,
          user_id: users.viewer,
          role: "viewer",
          granted_by: users.owner,
          created_at: now,
        },
      ])
      .execute();
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
    await broker?.close();
    await app?.close();
    await database?.dispose();
  });

  async function connect(opts: mqtt.IClientOptions): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url(), { ...base, ...opts });
    clients.push(c);
    return c;
  }
  // A new connection with a device's client id replaces its previous one (same credentials).
  const asDevice = async (d: TestDevice) =>
    connect({ clientId: d.id, username: d.id, password: await d.token() });
  let serviceSeq = 0;
  const asService = () =>
    connect({
      clientId: broker.service.clientId(`m${serviceSeq++}`),
      username: broker.service.username,
      password: broker.service.password,
    });

  async function connectCode(opts: mqtt.IClientOptions): Promise<number | "connected"> {
    try {
      const c = await mqtt.connectAsync(url(), { ...base, ...opts });
      clients.push(c);
      return "connected";
    } catch (err) {
      return (err as { code?: number }).code ?? -1;
    }
  }

  async function subVerdict(client: MqttClient, filter: string): Promise<Verdict> {
    try {
      await client.subscribeAsync(filter, { qos: 1 });
      await client.unsubscribeAsync(filter);
      return "allow";
    } catch {
      return "deny";
    }
  }

  /**
   * Publish `payload` on `topic` from `publisher`; "allow" when `observer` (subscribed to the topic
   * with rights of its own) receives it. A refused publish never arrives (and aedes drops the
   * publisher's connection).
   */
  async function pubVerdict(
    publisher: MqttClient,
    observer: MqttClient,
    topic: string,
    payload: string,
  ): Promise<Verdict> {
    await observer.subscribeAsync(topic, { qos: 1 });
    const got = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1500);
      observer.on("message", function on(t, p) {
        if (t === topic && p.toString() === payload) {
          clearTimeout(timer);
          observer.off("message", on);
          resolve(true);
        }
      });
    });
    publisher.publish(topic, payload, { qos: 1 });
    const arrived = await got;
    // A refused publish may have closed the observer too (when it is the publisher itself).
    if (observer.connected) await observer.unsubscribeAsync(topic).catch(() => {});
    return arrived ? "allow" : "deny";
  }

  it("covers every message-carrying topic of the layout", () => {
    const covered = new Set<MessageType>();
    for (const row of Object.values(MATRIX)) {
      const parsed = parseTopic(row.topic(dev.id));
      expect(parsed, row.topic(dev.id)).not.toBeNull();
      if (parsed) for (const t of messageTypesFor(parsed)) covered.add(t);
    }
    // Event kinds share one row (evt/{kind}); every other message type needs its topic here.
    const evt = parseTopic(MATRIX.evt.topic("d"));
    const missing = MESSAGE_TYPES.filter(
      (t) =>
        !covered.has(t) && !(evt?.kind === "evt" && t.match(/^(event|recording|upload|clip|retention)\./)),
    );
    expect(missing).toEqual([]);
  });

  it("users (owner, viewer, revoked viewer, stranger) and anonymous cannot connect at all", async () => {
    await app.db.db.deleteFrom("device_grants").where("user_id", "=", users.revoked).execute();
    for (const [who, userId] of Object.entries(users)) {
      const token = app.bearer(userId).slice("Bearer ".length);
      // As themselves, and pretending to be the device they are granted on.
      expect(await connectCode({ clientId: userId, username: userId, password: token }), who).toBe(4);
      expect(await connectCode({ clientId: dev.id, username: dev.id, password: token }), who).toBe(4);
    }
    expect(await connectCode({ clientId: dev.id })).toBe(5);
    expect(await connectCode({ clientId: "anyone", username: "anyone", password: "x" })).toBe(4);
  });

  for (const [key, row] of Object.entries(MATRIX) as [TopicKey, TopicRow][]) {
    it(`${key}: the device, another device and the service get what the table says`, async () => {
      const topic = row.topic(dev.id);
      const results: Record<string, Verdict> = {};
      const expected: Record<string, Verdict> = {
        "device.pub": row.device.pub,
        "device.sub": row.device.sub,
        "other.pub": "deny",
        "other.sub": "deny",
        "service.pub": row.service.pub,
        "service.sub": row.service.sub,
      };
      results["device.sub"] = await subVerdict(await asDevice(dev), topic);
      results["other.sub"] = await subVerdict(await asDevice(other), topic);
      results["service.sub"] = await subVerdict(await asService(), topic);
      // Observers with the right to read the topic: the service for up topics, the device for down.
      const up = row.service.sub === "allow";
      const observer = () => (up ? asService() : asDevice(dev));
      // On its own down topics the device observes itself: one connection per client id.
      const self = await asDevice(dev);
      results["device.pub"] = await pubVerdict(self, up ? await asService() : self, topic, row.message());
      results["other.pub"] = await pubVerdict(await asDevice(other), await observer(), topic, row.message());
      results["service.pub"] = await pubVerdict(await asService(), await observer(), topic, row.message());
      expect(results).toEqual(expected);
    });
  }
});
