import {
  deviceStatusBodySchema,
  deviceTelemetryBodySchema,
  encodeMessage,
  type MqttMessage,
  parseMessage,
  topics,
} from "@homecam/shared";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CameraSettings } from "../../../src/camera/camera-settings.js";
import type { CameraState, HostState } from "../../../src/camera/control.js";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import type { Command, CommandResult } from "../../../src/cloud/command-handler.js";
import { MqttLink, type MqttLinkOptions } from "../../../src/cloud/mqtt-link.js";
import { capturingLogger } from "../capture/helpers.js";
import {
  Inbox,
  recordingIdentity,
  startCuttableProxy,
  startTestCloud,
  type TestCloud,
  tempDir,
  waitFor,
} from "./cloud-fixture.js";

/** The part of the camera manager the link reads, with statuses a test can change. */
class FakeCameras {
  states: CameraState[] = [
    {
      id: "front",
      name: "Front door",
      enabled: true,
      status: "online",
      analysisFps: 5,
      eventActive: false,
      lastEventAt: null,
    },
    {
      id: "garage",
      name: "Garage",
      enabled: true,
      status: "reconnecting",
      reason: "connection refused by 192.168.1.21:554",
      analysisFps: 0,
      eventActive: false,
      lastEventAt: null,
    },
  ];
  cameras(): CameraState[] {
    return this.states;
  }
  async host(): Promise<HostState> {
    return {
      cpuPercent: 12.5,
      temperatureC: 48,
      diskFreeMB: 1000,
      diskTotalMB: 2000,
      storage: { state: "ok" },
      uptimeS: 42,
    };
  }
  allSettings(): CameraSettings[] {
    return this.states.map((s) => ({ id: s.id, name: s.name, sourceKind: "test" }) as CameraSettings);
  }
}

describe("MqttLink against the cloud's broker", () => {
  let cloud: TestCloud;
  let dir: { path: string; remove(): Promise<void> };
  let cameras: FakeCameras;
  const links: MqttLink[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    cloud = await startTestCloud(capturingLogger().log);
    dir = await tempDir("link");
    cameras = new FakeCameras();
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((l) => l.stop()));
    for (const c of cleanups.splice(0).reverse()) await c();
    await cloud.close();
    await dir.remove();
  });

  async function startLink(extra: Partial<MqttLinkOptions> = {}) {
    const { identity, tokens } = await recordingIdentity(dir.path);
    // The REST client gets its own (unrecorded) tokens: only the MQTT CONNECT tokens are counted.
    const { identity: restIdentity } = await recordingIdentity(dir.path);
    const captured = capturingLogger();
    const link = new MqttLink({
      url: cloud.mqttUrl,
      identity,
      api: new CloudApi({ baseUrl: cloud.httpUrl, identity: restIdentity }),
      control: cameras,
      agentVersion: "9.9.9-test",
      log: captured.log,
      reconnect: { initialMs: 50, maxMs: 400 },
      statusPollMs: 50,
      telemetryIntervalMs: 60_000,
      memoryMB: () => 256,
      ...extra,
    });
    links.push(link);
    await link.start();
    return { link, tokens, deviceId: identity.deviceId, lines: captured.lines };
  }

  async function subscriber(filter: string): Promise<{ client: MqttClient; inbox: Inbox }> {
    const client = await cloud.service(`s${Math.random().toString(36).slice(2, 10)}`);
    const inbox = new Inbox(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return { client, inbox };
  }

  it("publishes a retained online status a later subscriber sees, and registers its cameras over HTTP", async () => {
    const { link, deviceId } = await startLink();
    await waitFor("connected", () => link.connected, 10_000);
    await waitFor("registration", () => link.registeredCameras.length === 2, 10_000);

    // Subscribes only after the publish: what it gets is the retained message.
    const { inbox } = await subscriber(topics.status(deviceId));
    const status = await inbox.next(topics.status(deviceId), "device.status");
    expect(inbox.messages[0]?.retain).toBe(true);
    expect(status.body).toEqual({
      state: "online",
      agentVersion: "9.9.9-test",
      cameras: [
        { id: "front", status: "online" },
        { id: "garage", status: "reconnecting", reason: "connection refused by 192.168.1.21:554" },
      ],
    });

    const registration = cloud.requests.find((r) => r.path === "/api/cameras");
    expect(registration).toMatchObject({
      method: "POST",
      deviceId,
      body: {
        cameras: [
          { localId: "front", name: "Front door", sourceKind: "test" },
          { localId: "garage", name: "Garage", sourceKind: "test" },
        ],
      },
    });
    expect(link.registeredCameras).toEqual([
      { id: "cc-front", localId: "front", removed: false },
      { id: "cc-garage", localId: "garage", removed: false },
    ]);
  });

  it("republishes the status when a camera's status changes, and only then", async () => {
    const { link, deviceId } = await startLink();
    await waitFor("connected", () => link.connected, 10_000);
    const { inbox } = await subscriber(topics.status(deviceId));
    await inbox.next(topics.status(deviceId), "device.status");
    const garage = cameras.states[1] as CameraState;
    cameras.states[1] = { ...garage, status: "online", reason: undefined };
    const changed = await inbox.next(topics.status(deviceId), "device.status", (m) =>
      (m.body.cameras ?? []).every((c) => c.status === "online"),
    );
    expect(changed.body.cameras).toEqual([
      { id: "front", status: "online" },
      { id: "garage", status: "online" },
    ]);
    // A telemetry-only change (fps) is no status change: the next status is the next real change.
    const mark = inbox.messages.length;
    cameras.states[0] = { ...(cameras.states[0] as CameraState), analysisFps: 7 };
    cameras.states[1] = { ...(cameras.states[1] as CameraState), status: "error", reason: "gone" };
    const next = await inbox.next(topics.status(deviceId), "device.status", () => true, mark);
    expect(next.body.cameras?.[1]).toEqual({ id: "garage", status: "error", reason: "gone" });
  });

  it("publishes telemetry samples", async () => {
    const { deviceId } = await startLink({ telemetryIntervalMs: 100 });
    const { inbox } = await subscriber(topics.telemetry(deviceId));
    const sample = await inbox.next(topics.telemetry(deviceId), "device.telemetry");
    expect(deviceTelemetryBodySchema.parse(sample.body)).toEqual({
      cpuPercent: 12.5,
      memoryMB: 256,
      temperatureC: 48,
      diskFreeMB: 1000,
      diskTotalMB: 2000,
      uptimeS: 42,
      cameras: [
        { id: "front", status: "online", fps: 5 },
        { id: "garage", status: "reconnecting", fps: 0, reason: "connection refused by 192.168.1.21:554" },
      ],
    });
  });

  it("leaves its last will (offline, connection lost) when the connection dies, then reconnects with a new token", async () => {
    const proxy = await startCuttableProxy(cloud.port);
    cleanups.push(() => proxy.close());
    const { link, tokens, deviceId } = await startLink({ url: proxy.url });
    await waitFor("connected", () => link.connected, 10_000);
    const { inbox } = await subscriber(topics.status(deviceId));
    await inbox.next(topics.status(deviceId), "device.status", (m) => m.body.state === "online");
    const mark = inbox.messages.length;

    proxy.cut();
    const will = await inbox.next(
      topics.status(deviceId),
      "device.status",
      (m) => m.body.state === "offline",
      mark,
    );
    expect(will.body).toEqual({ state: "offline", reason: "connection lost" });

    await waitFor("second connection", () => link.connectCount === 2, 15_000);
    await inbox.next(topics.status(deviceId), "device.status", (m) => m.body.state === "online", mark);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens).size).toBe(tokens.length);
    // The first token is spent: the broker refuses it as a replay, which is why each connect signs anew.
    const replay = await mqtt
      .connectAsync(cloud.mqttUrl, {
        clientId: deviceId,
        username: deviceId,
        password: tokens[0] as string,
        protocolVersion: 4,
        reconnectPeriod: 0,
      })
      .then(
        async (c) => {
          await c.endAsync(true);
          return "connected";
        },
        (err: { code?: number }) => err.code,
      );
    expect(replay).toBe(4);
  });

  it("sends telemetry as HTTP heartbeats while the broker is down, and reconnects when it is back on its port", async () => {
    const { link, tokens, deviceId } = await startLink({ telemetryIntervalMs: 100 });
    await waitFor("registered", () => link.registeredCameras.length === 2, 10_000);
    const tokensBefore = tokens.length;

    await cloud.stopBroker();
    await waitFor("disconnected", () => !link.connected, 10_000);
    const heartbeat = await waitFor(
      "a heartbeat",
      () => cloud.requests.find((r) => r.path.endsWith("/heartbeat")),
      10_000,
    );
    expect(heartbeat).toMatchObject({ method: "POST", path: "/api/cameras/cc-front/heartbeat", deviceId });
    expect(deviceTelemetryBodySchema.safeParse(heartbeat.body).success).toBe(true);

    await cloud.startBroker();
    await waitFor("reconnected", () => link.connectCount === 2, 15_000);
    expect(tokens.length).toBeGreaterThan(tokensBefore);
    // The new broker holds no retained message from the old one: this is the link's republish.
    const { inbox } = await subscriber(topics.status(deviceId));
    const status = await inbox.next(topics.status(deviceId), "device.status");
    expect(status.body.state).toBe("online");
    // And commands reach it again (it subscribed anew).
    expect(link.connected).toBe(true);
  });

  it("publishes the retained offline status (shutdown) when stopped", async () => {
    const { link, deviceId } = await startLink();
    await waitFor("connected", () => link.connected, 10_000);
    await link.stop();
    links.splice(links.indexOf(link), 1);
    const { inbox } = await subscriber(topics.status(deviceId));
    const status = await inbox.next(topics.status(deviceId), "device.status");
    expect(status.body).toEqual({ state: "offline", reason: "shutdown" });
    expect(deviceStatusBodySchema.safeParse(status.body).success).toBe(true);
  });

  it("retries the camera registration at the next connect after the cloud refused it", async () => {
    cloud.failRegistrations = 1;
    const proxy = await startCuttableProxy(cloud.port);
    cleanups.push(() => proxy.close());
    const { link } = await startLink({ url: proxy.url });
    await waitFor(
      "refused registration",
      () => cloud.requests.some((r) => r.path === "/api/cameras"),
      10_000,
    );
    expect(link.registeredCameras).toEqual([]);
    proxy.cut();
    await waitFor("registered after reconnect", () => link.registeredCameras.length === 2, 15_000);
    expect(link.connectCount).toBe(2);
  });

  it("drops garbage and mistyped messages on its request topic, and still answers a valid command", async () => {
    const handled: { requestId: string; command: Command }[] = [];
    const commands = {
      async handle(requestId: string, command: Command): Promise<CommandResult> {
        handled.push({ requestId, command });
        return { ok: true, data: { echo: command.name } };
      },
    };
    const { link, deviceId, lines } = await startLink({ commands });
    await waitFor("connected", () => link.connected, 10_000);
    const service = await cloud.service("relay");
    const answers: { topic: string; message: MqttMessage }[] = [];
    service.on("message", (topic, payload) => {
      const parsed = parseMessage(payload, ["command.result"]);
      if (parsed.ok) answers.push({ topic, message: parsed.message });
    });
    await service.subscribeAsync(`hc/v1/dev/${deviceId}/res/+`, { qos: 1 });

    const req = (id: string) => topics.req(deviceId, id);
    await service.publishAsync(req("g1"), "not json at all", { qos: 1 });
    await service.publishAsync(req("g2"), Buffer.from([0xff, 0xfe, 0x00]), { qos: 1 });
    // A valid message, but not a command.
    await service.publishAsync(req("g3"), encodeMessage("rtc.close", { reason: "x" }), { qos: 1 });
    // A command frame with an invalid body.
    await service.publishAsync(
      req("g4"),
      JSON.stringify({ v: 1, id: "g4", ts: 1, type: "command", body: {} }),
      {
        qos: 1,
      },
    );
    await service.publishAsync(req("ok1"), encodeMessage("command", { name: "settings.get", args: {} }), {
      qos: 1,
    });

    const answer = await waitFor(
      "the answer",
      () => answers.find((a) => a.topic === topics.res(deviceId, "ok1")),
      10_000,
    );
    expect(answer.message).toMatchObject({
      id: "ok1",
      type: "command.result",
      body: { ok: true, data: { echo: "settings.get" } },
    });
    expect(handled.map((h) => h.requestId)).toEqual(["ok1"]);
    expect(answers).toHaveLength(1);
    expect(lines.filter((l) => l.includes("invalid mqtt message dropped"))).toHaveLength(4);
    expect(link.connected).toBe(true);
    expect(link.connectCount).toBe(1);
  });
});
