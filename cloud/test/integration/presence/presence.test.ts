import { connect as netConnect } from "node:net";
import { encodeMessage, topics } from "@homecam/shared";
import { generate } from "mqtt-packet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Presence } from "../../../src/presence/presence.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import {
  openViewer,
  type RelayStack,
  startRelayStack,
  type TestViewer,
  waitFor,
} from "../../helpers/fake-agent.js";

const telemetry = (
  cameras: { id: string; status: "online" | "reconnecting"; fps: number; reason?: string }[],
) => ({
  cpuPercent: 12.5,
  memoryMB: 300,
  temperatureC: 51,
  diskFreeMB: 1000,
  diskTotalMB: 2000,
  uptimeS: 99,
  cameras,
});

describe.each(TEST_DIALECTS)("presence on %s", (dialect) => {
  let database: TestDatabase;
  let stack: RelayStack;
  let device: TestDevice;
  let owner: string;
  let stranger: string;
  let porch: string;
  let clock = 0;
  const viewers: TestViewer[] = [];

  beforeEach(async () => {
    clock = Date.now();
    database = await createTestDatabase(dialect);
    stack = await startRelayStack(database, { now: () => clock });
    device = await createTestDevice();
    await stack.pin(device);
    porch = await stack.camera(device.id, "porch");
    owner = await stack.app.createUser();
    stranger = await stack.app.createUser();
    await stack.grant(device.id, owner, "owner");
  });
  afterEach(async () => {
    for (const v of viewers.splice(0)) v.ws.terminate();
    await stack?.close();
    await database?.dispose();
  });

  async function viewer(userId: string): Promise<TestViewer> {
    const v = await openViewer(stack.wsUrl, stack.app.bearer(userId).slice("Bearer ".length));
    viewers.push(v);
    await v.next((m) => m.type === "auth.ok");
    return v;
  }
  const row = () =>
    stack.app.db.db.selectFrom("devices").selectAll().where("id", "=", device.id).executeTakeFirstOrThrow();
  const cameraRow = () =>
    stack.app.db.db.selectFrom("cameras").selectAll().where("id", "=", porch).executeTakeFirstOrThrow();
  const statusEvents = (v: TestViewer, status: string) =>
    v.messages.filter((m) => m.type === "device.status" && m.status === status);
  /** The first `device.status` with `status` among the messages after the first `mark` ones. */
  const statusAfter = (v: TestViewer, mark: number, status: string) =>
    v.next((m) => v.messages.indexOf(m) >= mark && m.type === "device.status" && m.status === status);
  /** A round trip on the socket: whatever the hub sent before has arrived when this resolves. */
  async function flush(v: TestViewer, userId: string): Promise<void> {
    const mark = v.messages.length;
    v.ws.send(JSON.stringify({ type: "auth", token: stack.app.bearer(userId).slice("Bearer ".length) }));
    await v.next((m) => v.messages.indexOf(m) >= mark && m.type === "auth.ok");
  }

  it("pushes online to a grant holder when the agent connects, and offline at once when it is killed", async () => {
    const ownerWs = await viewer(owner);
    const strangerWs = await viewer(stranger);
    // The first view: the device as the database has it (never connected = offline).
    await ownerWs.next((m) => m.type === "device.status" && m.status === "offline");

    const started = performance.now();
    const agent = await stack.agent({ device, cameras: [{ id: "porch", status: "online" }] });
    const online = await ownerWs.next((m) => m.type === "device.status" && m.status === "online");
    console.log(`presence: connect → online at the viewer in ${(performance.now() - started).toFixed(0)} ms`);
    expect(online).toMatchObject({ deviceId: device.id, cameras: [{ id: porch, status: "online" }] });
    expect(await row()).toMatchObject({ status: "online", agent_version: "0.0.0-fake" });
    expect((await cameraRow()).status).toBe("online");

    const killed = performance.now();
    const mark = ownerWs.messages.length;
    agent.kill();
    await statusAfter(ownerWs, mark, "offline");
    console.log(`presence: kill → offline at the viewer in ${(performance.now() - killed).toFixed(0)} ms`);
    await stack.presence.idle();
    expect((await row()).status).toBe("offline");
    expect(stack.presence.isOnline(device.id)).toBe(false);
    // The will and the connection safety net both said offline: pushed once (plus the first view).
    await flush(ownerWs, owner);
    expect(statusEvents(ownerWs, "offline")).toHaveLength(2);

    // The stranger holds no grant: nothing but the answers to its own auth messages.
    await flush(strangerWs, stranger);
    expect(strangerWs.messages.map((m) => m.type)).toEqual(["auth.ok", "auth.ok"]);
  });

  it("stores telemetry and camera status, and pushes it with the cloud's camera ids", async () => {
    const ownerWs = await viewer(owner);
    const agent = await stack.agent({ device });
    const body = telemetry([
      { id: "porch", status: "reconnecting", fps: 0, reason: "rtsp timeout" },
      { id: "unregistered", status: "online", fps: 10 },
    ]);
    await agent.publishTelemetry(body);
    const pushed = await ownerWs.next((m) => m.type === "device.telemetry");
    expect(pushed).toMatchObject({
      deviceId: device.id,
      telemetry: {
        ...body,
        cameras: [{ id: porch, status: "reconnecting", fps: 0, reason: "rtsp timeout" }],
      },
    });
    await stack.presence.idle();
    const r = await row();
    expect(JSON.parse(r.telemetry_json as string)).toEqual(body);
    expect(r.telemetry_at).toBe(clock);
    expect(await cameraRow()).toMatchObject({ status: "reconnecting", status_reason: "rtsp timeout" });
  });

  it("sets offline a device that disconnected cleanly without saying so (connection safety net)", async () => {
    const ownerWs = await viewer(owner);
    const agent = await stack.agent({ device });
    await ownerWs.next((m) => m.type === "device.status" && m.status === "online");
    const mark = ownerWs.messages.length;
    await agent.client.endAsync();
    await statusAfter(ownerWs, mark, "offline");
    await stack.presence.idle();
    expect((await row()).status).toBe("offline");
  });

  it("sets offline an agent that goes silent, after aedes' keep-alive (1.5 × 1 s)", async () => {
    const ownerWs = await viewer(owner);
    // A raw client: CONNECT with keep-alive 1 s, its online status, then silence (no PINGREQ).
    const socket = netConnect(stack.broker.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.resume(); // read (and drop) CONNACK, so the broker's close is seen
    const will = encodeMessage("device.status", { state: "offline", reason: "connection lost" });
    socket.write(
      generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        clientId: device.id,
        keepalive: 1,
        username: device.id,
        password: Buffer.from(await device.token()),
        will: { topic: topics.status(device.id), payload: Buffer.from(will), qos: 1, retain: true },
      }),
    );
    socket.write(
      generate({
        cmd: "publish",
        topic: topics.status(device.id),
        payload: Buffer.from(encodeMessage("device.status", { state: "online" })),
        qos: 0,
        retain: true,
        dup: false,
      }),
    );
    const closed = new Promise((resolve) => socket.on("close", resolve));
    await statusAfter(ownerWs, 1, "online");
    await statusAfter(ownerWs, ownerWs.messages.length, "offline");
    await closed;
    await stack.presence.idle();
    expect((await row()).status).toBe("offline");
  });

  it("resets devices a previous run left online, unless the bus is shared", async () => {
    await stack.app.db.db
      .updateTable("devices")
      .set({ status: "online" })
      .where("id", "=", device.id)
      .execute();
    const noop = { toUsers() {}, revoked() {} };
    const shared = new Presence({
      ctx: stack.app.rendezvous,
      push: noop,
      sharedBus: true,
      sweepIntervalMs: 0,
    });
    await shared.start(stack.broker);
    await shared.close();
    expect((await row()).status).toBe("online");
    const single = new Presence({ ctx: stack.app.rendezvous, push: noop, sweepIntervalMs: 0 });
    await single.start(stack.broker);
    await single.close();
    expect((await row()).status).toBe("offline");
  });

  it("sweeps a device marked online that went silent, but never a connected one", async () => {
    const connected = await stack.agent();
    await waitFor(() => stack.presence.isOnline(connected.id), 5000, "agent online");
    await stack.presence.idle();
    await stack.app.db.db.updateTable("devices").set({ status: "online", last_seen_at: clock }).execute();
    clock += 60_000;
    expect(await stack.presence.sweep()).toEqual([]);
    clock += 61_000;
    const ownerWs = await viewer(owner);
    await ownerWs.next((m) => m.type === "device.status" && m.status === "online");
    const mark = ownerWs.messages.length;
    expect(await stack.presence.sweep()).toEqual([device.id]);
    await statusAfter(ownerWs, mark, "offline");
    expect((await row()).status).toBe("offline");
  });
});
