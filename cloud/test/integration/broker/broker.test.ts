import { spawn } from "node:child_process";
import { connect as netConnect } from "node:net";
import { encodeMessage, topics } from "@homecam/shared";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_KEEPALIVE_S, type RunningBroker, startBroker } from "../../../src/broker/broker.js";
import { migrateToLatest } from "../../../src/db/migrate.js";
import { DeviceRegistry } from "../../../src/devices/device-registry.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { type CapturedLog, captureLogger, silentLogger } from "../../helpers/logs.js";

const telemetry = () =>
  encodeMessage("device.telemetry", {
    cpuPercent: 12,
    memoryMB: 100,
    diskFreeMB: 1000,
    diskTotalMB: 2000,
    uptimeS: 5,
    cameras: [],
  });
const command = () => encodeMessage("command", { name: "snapshot", args: { cameraId: "cam1" } });

describe.each(TEST_DIALECTS)("MQTT broker on %s", (dialect) => {
  let database: TestDatabase;
  let broker: RunningBroker;
  let captured: CapturedLog;
  let devA: TestDevice;
  let devB: TestDevice;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    const handle = database.open();
    await migrateToLatest(handle, silentLogger());
    captured = captureLogger();
    broker = await startBroker({
      registry: new DeviceRegistry({ db: handle.db }),
      log: captured.log,
      host: "127.0.0.1",
      port: 0,
      maxPacketBytes: 256 * 1024,
    });
    devA = await createTestDevice();
    devB = await createTestDevice();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
    await broker?.close();
    await database?.dispose();
  });

  const url = () => `mqtt://127.0.0.1:${broker.port}`;
  const base = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 as const };
  async function connect(opts: mqtt.IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url(), { ...base, ...opts });
    clients.push(client);
    return client;
  }
  async function connectDevice(dev: TestDevice, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
    return connect({ clientId: dev.id, username: dev.id, password: await dev.token(), ...extra });
  }
  async function connectService(): Promise<MqttClient> {
    return connect({
      clientId: broker.service.clientId("test"),
      username: broker.service.username,
      password: broker.service.password,
    });
  }
  async function refusedWith(opts: mqtt.IClientOptions): Promise<number | string> {
    try {
      const c = await mqtt.connectAsync(url(), { ...base, ...opts });
      clients.push(c);
      return "connected";
    } catch (err) {
      return (err as { code?: number }).code ?? "error";
    }
  }
  function nextMessage(client: MqttClient, ms = 3000): Promise<[string, string] | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.off("message", on);
        resolve(null);
      }, ms);
      const on = (topic: string, payload: Buffer) => {
        clearTimeout(timer);
        client.off("message", on);
        resolve([topic, payload.toString()]);
      };
      client.on("message", on);
    });
  }

  it("lets a device in with its token and carries its own telemetry to the service", async () => {
    const service = await connectService();
    await service.subscribeAsync("hc/v1/dev/+/telemetry", { qos: 1 });
    const a = await connectDevice(devA);
    const received = nextMessage(service);
    const payload = telemetry();
    await a.publishAsync(topics.telemetry(devA.id), payload, { qos: 1 });
    expect(await received).toEqual([topics.telemetry(devA.id), payload]);
  });

  it("refuses anonymous, bad and mismatched credentials", async () => {
    expect(await refusedWith({ clientId: devA.id })).toBe(5);
    expect(await refusedWith({ clientId: devA.id, username: devA.id, password: "nope" })).toBe(4);
    // B's valid token presented as A.
    expect(await refusedWith({ clientId: devA.id, username: devA.id, password: await devB.token() })).toBe(4);
    // A's valid token but another client id.
    expect(await refusedWith({ clientId: "other", username: devA.id, password: await devA.token() })).toBe(2);
    // A token for another audience.
    expect(
      await refusedWith({
        clientId: devA.id,
        username: devA.id,
        password: await devA.token({ claims: { aud: "x" } }),
      }),
    ).toBe(4);
    // The service identity with a wrong secret, or with a device's client id.
    const svc = { username: broker.service.username };
    expect(await refusedWith({ ...svc, clientId: "homecam-cloud:x", password: "guess" })).toBe(4);
    expect(await refusedWith({ ...svc, clientId: devA.id, password: broker.service.password })).toBe(2);
    // A replayed device token.
    const token = await devA.token();
    expect(await refusedWith({ clientId: devA.id, username: devA.id, password: token })).toBe("connected");
    expect(await refusedWith({ clientId: devA.id, username: devA.id, password: token })).toBe(4);
  });

  it("refuses subscriptions outside the device's own down filters (SUBACK 0x80)", async () => {
    const a = await connectDevice(devA);
    const granted = await a.subscribeAsync([topics.req(devA.id, "r1"), `hc/v1/dev/${devA.id}/rtc/+/in`]);
    expect(granted.map((g) => g.qos)).toEqual([0, 0]);
    for (const filter of [
      `hc/v1/dev/${devB.id}/req/+`,
      `hc/v1/dev/+/req/+`,
      `hc/v1/dev/${devA.id}/#`,
      `hc/v1/dev/${devA.id}/status`,
      "#",
      "$SYS/#",
    ]) {
      await expect(a.subscribeAsync(filter), filter).rejects.toThrow();
    }
    expect(a.connected).toBe(true);
  });

  it("drops a publish to another device's topic and disconnects the publisher", async () => {
    const service = await connectService();
    await service.subscribeAsync("hc/v1/dev/+/telemetry");
    const a = await connectDevice(devA);
    const closed = new Promise<void>((resolve) => a.once("close", () => resolve()));
    const received = nextMessage(service, 1000);
    a.publish(topics.telemetry(devB.id), telemetry(), { qos: 1 });
    await closed;
    expect(await received).toBeNull();
  });

  it("drops and logs an invalid payload without disconnecting; retains only status", async () => {
    const service = await connectService();
    await service.subscribeAsync("hc/v1/dev/+/telemetry");
    const a = await connectDevice(devA);
    const received = nextMessage(service, 800);
    await a.publishAsync(topics.telemetry(devA.id), "{not json", { qos: 1 });
    expect(await received).toBeNull();
    expect(a.connected).toBe(true);
    expect(captured.lines.some((l) => l.msg === "mqtt payload dropped")).toBe(true);

    const status = encodeMessage("device.status", { state: "online" });
    await a.publishAsync(topics.status(devA.id), status, { qos: 1, retain: true });
    await a.publishAsync(topics.telemetry(devA.id), telemetry(), { qos: 1, retain: true });
    const late = await connect({
      clientId: broker.service.clientId("late"),
      username: broker.service.username,
      password: broker.service.password,
    });
    const got: string[] = [];
    late.on("message", (t, _payload, packet) => got.push(`${t} retain=${packet.retain}`));
    await late.subscribeAsync(["hc/v1/dev/+/status", "hc/v1/dev/+/telemetry"]);
    // A live message after the subscription marks the end of the retained ones: wait for it
    // instead of sleeping, then only the status may have come as retained.
    await a.publishAsync(topics.telemetry(devA.id), telemetry(), { qos: 1 });
    await expect.poll(() => got.at(-1), { timeout: 5000 }).toBe(`${topics.telemetry(devA.id)} retain=false`);
    expect(got).toEqual([
      `${topics.status(devA.id)} retain=true`,
      `${topics.telemetry(devA.id)} retain=false`,
    ]);
  });

  it("a takeover attempt with the device's client id and a bad password never disconnects the device", async () => {
    const a = await connectDevice(devA);
    await a.subscribeAsync(`hc/v1/dev/${devA.id}/req/+`, { qos: 1 });
    let closes = 0;
    a.on("close", () => closes++);
    for (const password of ["bad", await devB.token(), await devA.token({ claims: { aud: "other" } })]) {
      expect(await refusedWith({ clientId: devA.id, username: devA.id, password })).toBe(4);
    }
    expect(await refusedWith({ clientId: devA.id })).toBe(5);
    expect(a.connected).toBe(true);
    const received = nextMessage(a);
    const cmd = command();
    await broker.publish(topics.req(devA.id, "r1"), cmd);
    expect(await received).toEqual([topics.req(devA.id, "r1"), cmd]);
    expect(closes).toBe(0);
  });

  it("serves in-process subscriptions on the service's filters only, with validated payloads", async () => {
    for (const filter of ["#", "hc/v1/dev/+/req/+", `hc/v1/dev/${devA.id}/rtc/+/in`, "$SYS/#"]) {
      await expect(
        broker.subscribe(filter, () => {}),
        filter,
      ).rejects.toThrow();
    }
    const first: [string, Buffer][] = [];
    const second: [string, Buffer][] = [];
    const stopFirst = await broker.subscribe("hc/v1/dev/+/telemetry", (t, p) => first.push([t, p]));
    const stopSecond = await broker.subscribe("hc/v1/dev/+/telemetry", (t, p) => second.push([t, p]));
    const a = await connectDevice(devA);
    await a.publishAsync(topics.telemetry(devA.id), "{not json", { qos: 1 });
    const payload = telemetry();
    await a.publishAsync(topics.telemetry(devA.id), payload, { qos: 1 });
    await expect.poll(() => first.length, { timeout: 5000 }).toBe(1);
    // The invalid payload (published first, same client, in order) never reached a subscriber.
    expect(first.map(([t, p]) => [t, p.toString()])).toEqual([[topics.telemetry(devA.id), payload]]);
    expect(Buffer.isBuffer(first[0]?.[1])).toBe(true);

    await stopFirst();
    await a.publishAsync(topics.telemetry(devA.id), telemetry(), { qos: 1 });
    // Both handlers run for one message: when the second has it, the first would have had it too.
    await expect.poll(() => second.length, { timeout: 5000 }).toBe(2);
    expect(first).toHaveLength(1);
    await stopSecond();
  });

  it("reports device connections (not the service's); a takeover closes the old one first", async () => {
    const events: string[] = [];
    const stop = broker.onDeviceConnection((id, up) => events.push(`${id === devA.id ? "A" : id} ${up}`));
    await connectService();
    const first = await connectDevice(devA);
    await expect.poll(() => events, { timeout: 5000 }).toEqual(["A true"]);
    const firstClosed = new Promise<void>((resolve) => first.once("close", () => resolve()));
    await connectDevice(devA);
    await firstClosed;
    await expect.poll(() => events, { timeout: 5000 }).toEqual(["A true", "A false", "A true"]);
    stop();
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await expect.poll(() => broker.connectedClients(), { timeout: 5000 }).toBe(0);
    expect(events).toEqual(["A true", "A false", "A true"]);
  });

  it("refuses a client that switches keep-alive off or stretches it past the limit", async () => {
    for (const keepalive of [0, MAX_KEEPALIVE_S + 1]) {
      expect(
        await refusedWith({ clientId: devA.id, username: devA.id, password: await devA.token(), keepalive }),
        `keepalive ${keepalive}`,
      ).not.toBe("connected");
    }
    const ok = {
      clientId: devA.id,
      username: devA.id,
      password: await devA.token(),
      keepalive: MAX_KEEPALIVE_S,
    };
    expect(await refusedWith(ok)).toBe("connected");
  });
});

describe("MQTT broker limits and foreign clients", () => {
  let database: TestDatabase;
  let broker: RunningBroker;
  let dev: TestDevice;
  beforeEach(async () => {
    database = await createTestDatabase("sqlite");
    const handle = database.open();
    await migrateToLatest(handle, silentLogger());
    broker = await startBroker({
      registry: new DeviceRegistry({ db: handle.db }),
      log: silentLogger(),
      host: "127.0.0.1",
      port: 0,
      maxPacketBytes: 256 * 1024,
    });
    dev = await createTestDevice();
  });
  afterEach(async () => {
    await broker?.close();
    await database?.dispose();
  });

  it("refuses a packet declaring 200 MB without the memory growing by 20 MB", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const usage = () => {
      gc?.();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = usage();
    const socket = netConnect(broker.port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    let sent = 0;
    let closed = false;
    socket.on("error", () => {});
    const done = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.once("close", () => {
      closed = true;
    });
    // PUBLISH, remaining length 200 MB (varint 0x80 0x80 0x80 0x64 = 209,715,200).
    socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64]));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let peak = 0;
    for (let i = 0; i < 200 && !closed; i++) {
      if (!socket.write(chunk)) await new Promise((r) => setTimeout(r, 5));
      sent += chunk.length;
      peak = Math.max(peak, usage() - before);
    }
    await done;
    const after = usage();
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(200 * 1024 * 1024);
    expect(after - before).toBeLessThan(20 * 1024 * 1024);
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });

  function run(cmd: string, args: string[], ms = 6000): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
      });
      child.stderr.on("data", (b: Buffer) => {
        out += b.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }
  const where = () => ["-h", "127.0.0.1", "-p", String(broker.port), "-V", "mqttv311"];

  it("refuses Mosquitto's own clients without or with wrong credentials", async () => {
    const sub = await run("mosquitto_sub", [...where(), "-t", "#", "-C", "1", "-W", "3"]);
    expect(sub.code).not.toBe(0);
    expect(sub.out).toMatch(/not authori[sz]ed/i);
    const pub = await run("mosquitto_pub", [...where(), "-t", topics.status(dev.id), "-m", "x"]);
    expect(pub.code).not.toBe(0);
    const wrong = await run("mosquitto_sub", [
      ...where(),
      ...["-i", dev.id, "-u", dev.id, "-P", "wrong", "-t", topics.req(dev.id, "r1"), "-C", "1", "-W", "3"],
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toMatch(/bad user name or password|not authori[sz]ed/i);
  });

  it("lets mosquitto_sub with a device token read only its own req topic", async () => {
    const other = await createTestDevice();
    const creds = async () => ["-i", dev.id, "-u", dev.id, "-P", await dev.token()];
    // Another device's requests: the subscription is denied.
    const denied = await run("mosquitto_sub", [
      ...where(),
      ...(await creds()),
      ...["-t", `hc/v1/dev/${other.id}/req/+`, "-C", "1", "-W", "2"],
    ]);
    expect(denied.out).toMatch(/denied/i);
    // Its own: receives the command published by the service.
    const cmd = command();
    const own = run("mosquitto_sub", [
      ...where(),
      ...(await creds()),
      ...["-t", `hc/v1/dev/${dev.id}/req/+`, "-C", "1", "-W", "5", "-v", "-q", "1"],
    ]);
    // mosquitto_sub gives no sign when its subscription is active: publish the other device's
    // command once, then this device's until mosquitto_sub has its one message (-C 1) and exits.
    let exited = false;
    void own.finally(() => {
      exited = true;
    });
    await broker.publish(topics.req(other.id, "r0"), command());
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) {
      await broker.publish(topics.req(dev.id, "r1"), cmd);
      await Promise.race([own, new Promise((r) => setTimeout(r, 100))]);
    }
    const result = await own;
    expect(result.code).toBe(0);
    expect(result.out.trim()).toBe(`${topics.req(dev.id, "r1")} ${cmd}`);
  });
});
