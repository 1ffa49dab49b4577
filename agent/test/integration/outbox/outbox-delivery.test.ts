import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { type MqttMessage, topics } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { MqttLink } from "../../../src/cloud/mqtt-link.js";
import { OutboxSender } from "../../../src/cloud/outbox-sender.js";
import { Inbox, recordingIdentity, startTestCloud, type TestCloud } from "../cloud/cloud-fixture.js";
import {
  allRows,
  capturingLogger,
  type OutboxStore,
  openOutboxStore,
  tempDir,
  waitFor,
} from "./outbox-fixture.js";

/** A TCP proxy to the broker that can refuse the agent for a while (its link is down meanwhile). */
async function gate(targetPort: number) {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((inbound) => {
    if (!open) return void inbound.destroy();
    const outbound = tcpConnect(targetPort, "127.0.0.1");
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`,
    close() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    open() {
      open = true;
    },
    async stop() {
      this.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cameraIdOf = (m: MqttMessage) => (m.body as { cameraId?: string }).cameraId;

describe("outbox delivery over the real broker", () => {
  let cloud: TestCloud;
  let dir: { path: string; remove(): Promise<void> };
  let s: OutboxStore;
  let proxy: Awaited<ReturnType<typeof gate>>;
  const stops: (() => Promise<void>)[] = [];
  /** Types of the rows the sender announced as delivered (onDelivered), in this test. */
  let delivered: string[] = [];

  beforeEach(async () => {
    delivered = [];
    cloud = await startTestCloud(capturingLogger().log);
    dir = await tempDir("outbox-delivery");
    s = await openOutboxStore(dir.path);
    proxy = await gate(cloud.port);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await s.store.close();
    await proxy.stop();
    await cloud.close();
    await dir.remove();
  });

  /** The agent side: a real MqttLink through the gate and the sender over the store. */
  async function startAgent(store = s) {
    const { identity } = await recordingIdentity(dir.path);
    const captured = capturingLogger();
    const link = new MqttLink({
      url: proxy.url,
      identity,
      api: new CloudApi({ baseUrl: cloud.httpUrl, identity }),
      control: { cameras: () => [], host: async () => ({}) as never, allSettings: () => [] },
      agentVersion: "9.9.9-test",
      log: captured.log,
      reconnect: { initialMs: 50, maxMs: 200 },
      telemetryIntervalMs: 600_000,
    });
    const sender = new OutboxSender({
      link,
      repo: store.outbox,
      writer: store.writer,
      deviceId: identity.deviceId,
      log: captured.log,
      pollMs: 200,
      onDelivered: (row) => delivered.push(row.type),
    });
    await link.start();
    await sender.start();
    stops.push(
      () => link.stop(),
      () => sender.stop(),
    );
    return { link, sender, deviceId: identity.deviceId, lines: captured.lines };
  }

  /** A cloud-side subscriber to every device's `evt/*`, as the relay is. */
  async function subscriber() {
    const client = await cloud.service(`s${Math.random().toString(36).slice(2, 10)}`);
    const inbox = new Inbox(client);
    await client.subscribeAsync("hc/v1/dev/+/evt/+", { qos: 1 });
    return inbox;
  }

  /** Write `n` events (started + ended) alternating between the two cameras. */
  async function writeEvents(n: number, t0: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const ev = await s.events.insert({
        cameraId: i % 2 === 0 ? "front" : "garage",
        type: "motion",
        startedAt: t0 + i,
      });
      await s.events.finish(ev, { endedAt: t0 + i + 10, score: 0.5, metadata: {} });
    }
  }

  /** Checks at-least-once, in order per camera: first arrivals per camera follow the rows' seq. */
  async function expectDelivered(inbox: Inbox, deviceId: string) {
    const rows = await allRows(s.store);
    await waitFor(
      "every row received",
      () => rows.every((r) => inbox.messages.some((m) => m.message.id === r.id)) || undefined,
      20_000,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const seen = new Map<string, MqttMessage>();
    for (const { topic, message } of inbox.messages) {
      const row = byId.get(message.id);
      expect(row, `unexpected message ${message.id}`).toBeDefined();
      expect(topic).toBe(topics.evt(deviceId, row!.type));
      expect(message.ts).toBe(row!.created_at);
      const earlier = seen.get(message.id);
      // A duplicate is the same frame again, never a different message under the same id.
      if (earlier) expect(message).toEqual(earlier);
      else seen.set(message.id, message);
    }
    for (const camera of ["front", "garage"]) {
      const first = [...seen.values()].filter((m) => cameraIdOf(m) === camera).map((m) => m.id);
      expect(first).toEqual(rows.filter((r) => r.camera_id === camera).map((r) => r.id));
    }
    await waitFor(
      "marked delivered",
      async () => (await s.outbox.undelivered()).length === 0 || undefined,
      10_000,
    );
    return rows;
  }

  it("delivers facts in the order written, each exactly once, and marks them delivered", async () => {
    const inbox = await subscriber();
    const { link, deviceId } = await startAgent();
    await waitFor("connected", () => link.connected || undefined, 10_000);
    await writeEvents(6, 1_000);
    const rows = await expectDelivered(inbox, deviceId);
    expect(inbox.messages).toHaveLength(rows.length);
    expect(inbox.messages.map((m) => m.message.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(inbox.messages[0]?.message).toMatchObject({ type: "event.started", body: { cameraId: "front" } });
    expect((await allRows(s.store)).every((r) => r.delivered_at !== null)).toBe(true);
    // Each acknowledged row is announced once (the uploader waits for recording.ready).
    await waitFor("announced", () => delivered.length === rows.length || undefined, 5_000);
    expect(delivered.sort()).toEqual(rows.map((r) => r.type).sort());
  });

  it("delivers every fact written while the broker was down once it is back, in order per camera", async () => {
    let inbox = await subscriber();
    const { link, deviceId } = await startAgent();
    await waitFor("connected", () => link.connected || undefined, 10_000);
    await writeEvents(2, 1_000);
    await waitFor("first facts", () => inbox.messages.length >= 4 || undefined, 10_000);

    proxy.close();
    await cloud.stopBroker();
    await waitFor("link down", () => !link.connected || undefined, 10_000);
    await writeEvents(10, 5_000); // 20 facts, two cameras
    expect(await s.outbox.undelivered()).toHaveLength(20);
    const before = inbox.messages;
    await cloud.startBroker();
    inbox = await subscriber();
    inbox.messages.unshift(...before);
    proxy.open();
    await waitFor("link back", () => link.connected || undefined, 10_000);
    await expectDelivered(inbox, deviceId);
  });

  it("delivers rows left undelivered by a previous run after a restart", async () => {
    await writeEvents(4, 1_000); // no agent running: the rows wait in the database
    await s.store.close();
    s = await openOutboxStore(dir.path);
    expect(await s.outbox.undelivered()).toHaveLength(8);
    const inbox = await subscriber();
    const { deviceId } = await startAgent();
    await expectDelivered(inbox, deviceId);
  });

  it("sets an unsendable row aside with a warning and goes on with its camera's next facts", async () => {
    await s.store.db
      .insertInto("outbox")
      .values({
        id: "old-schema-row",
        topic_kind: "event.started",
        camera_id: "front",
        type: "event.started",
        subject_id: "e-old",
        body: JSON.stringify({ eventId: "e-old", cameraId: "front", score: 7 }),
        created_at: 1,
        next_attempt_at: 1,
      })
      .execute();
    await writeEvents(1, 1_000);
    const inbox = await subscriber();
    const { deviceId, lines } = await startAgent();
    await waitFor("two facts", () => inbox.messages.length >= 2 || undefined, 10_000);
    const [dead] = await allRows(s.store);
    expect(dead?.id).toBe("old-schema-row");
    expect(dead?.dead_at).not.toBeNull();
    expect(dead?.error).toMatch(/invalid event\.started/);
    expect(lines.join("")).toContain("outbox row cannot be sent");
    expect(inbox.messages.map((m) => m.message.id)).not.toContain("old-schema-row");
    await s.store.db.deleteFrom("outbox").where("id", "=", "old-schema-row").execute();
    await expectDelivered(inbox, deviceId);
  });
});
