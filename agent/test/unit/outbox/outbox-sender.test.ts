import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboxFrame } from "../../../src/cloud/outbox-frame.js";
import { OutboxSender } from "../../../src/cloud/outbox-sender.js";
import {
  allRows,
  capturingLogger,
  type OutboxStore,
  openOutboxStore,
  tempDir,
  waitFor,
} from "../../integration/outbox/outbox-fixture.js";

/** A link whose broker answers each publish as the test says (the failure paths a broker rarely takes). */
class ScriptedLink extends EventEmitter<{ connected: []; disconnected: [] }> {
  connected = true;
  readonly published: { topic: string; payload: string }[] = [];
  answer: () => Promise<boolean> = async () => true;
  publish(topic: string, payload: string): Promise<boolean> {
    this.published.push({ topic, payload });
    return this.answer();
  }
}

const DEVICE = "dev-1";

describe("OutboxSender", () => {
  let dir: { path: string; remove(): Promise<void> };
  let s: OutboxStore;
  let now: number;
  const senders: OutboxSender[] = [];

  beforeEach(async () => {
    dir = await tempDir("outbox-unit");
    now = 1_000_000;
    s = await openOutboxStore(dir.path, { now: () => now });
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((x) => x.stop()));
    await s.store.close();
    await dir.remove();
  });

  function sender(link: ScriptedLink, extra: Partial<ConstructorParameters<typeof OutboxSender>[0]> = {}) {
    const captured = capturingLogger();
    const x = new OutboxSender({
      link,
      repo: s.outbox,
      writer: s.writer,
      deviceId: DEVICE,
      log: captured.log,
      now: () => now,
      random: () => 0,
      backoff: { initialMs: 1_000, maxMs: 8_000, jitter: 0.5 },
      pollMs: 20,
      ...extra,
    });
    senders.push(x);
    return { x, lines: captured.lines };
  }

  it("holds a failed row's camera with doubling back-off while other cameras go on", async () => {
    const link = new ScriptedLink();
    const front = await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1 });
    await s.events.finish(front, { endedAt: 2, score: 0, metadata: {} });
    link.answer = async () => {
      throw new Error("timed out after 10000 ms");
    };
    const { x, lines } = sender(link);
    await x.start();
    await waitFor(
      "first failure",
      async () => (await allRows(s.store))[0]?.attempts === 1 || undefined,
      5_000,
    );
    let [row] = await allRows(s.store);
    expect(row?.next_attempt_at).toBe(now + 1_000);
    expect(row?.error).toMatch(/timed out/);
    expect(lines.join("")).toContain("outbox publish failed");
    // Only the head of the lane was tried: the camera's later fact waits behind it.
    expect(new Set(link.published.map((p) => p.topic))).toEqual(
      new Set([`hc/v1/dev/${DEVICE}/evt/event.started`]),
    );

    // Another camera is not held up by front's trouble.
    link.answer = async () => true;
    const garage = await s.events.insert({ cameraId: "garage", type: "motion", startedAt: 1 });
    await waitFor(
      "garage delivered",
      async () => {
        const r = (await allRows(s.store)).find((x) => x.subject_id === garage.id);
        return r?.delivered_at !== null || undefined;
      },
      5_000,
    );
    [row] = await allRows(s.store);
    expect(row?.delivered_at).toBeNull();

    // Once due, front's rows go in order.
    now += 1_000;
    await waitFor(
      "front delivered",
      async () => (await s.outbox.undelivered()).length === 0 || undefined,
      5_000,
    );
    const types = link.published.map(
      (p) => JSON.parse(p.payload) as { type: string; body: { cameraId: string } },
    );
    expect(
      types
        .filter((m) => m.body.cameraId === "front")
        .map((m) => m.type)
        .slice(-2),
    ).toEqual(["event.started", "event.ended"]);
  });

  it("gives a row up after maxAttempts failures so its camera's queue moves on", async () => {
    const link = new ScriptedLink();
    link.answer = async () => {
      throw new Error("refused");
    };
    await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1 });
    const { x, lines } = sender(link, { maxAttempts: 2, backoff: { initialMs: 0, maxMs: 0 } });
    await x.start();
    await waitFor("dead", async () => (await allRows(s.store))[0]?.dead_at !== null || undefined, 5_000);
    expect((await allRows(s.store))[0]?.error).toMatch(/gave up after 2 attempts: refused/);
    expect(lines.join("")).toContain("outbox row given up");
  });

  it("sends nothing while disconnected and resumes on connect; unacknowledged rows stay undelivered", async () => {
    const link = new ScriptedLink();
    link.connected = false;
    await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1 });
    const { x } = sender(link);
    await x.start();
    await s.events.insert({ cameraId: "garage", type: "motion", startedAt: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(link.published).toEqual([]);
    // Connected, but the broker never acknowledges: nothing is marked delivered.
    link.connected = true;
    link.answer = () => new Promise<boolean>(() => {});
    link.emit("connected");
    await waitFor("both lanes in flight", () => link.published.length === 2 || undefined, 5_000);
    expect(await s.outbox.undelivered()).toHaveLength(2);
    // The connection dies: on reconnect both rows are sent again (same frames).
    link.emit("disconnected");
    link.answer = async () => true;
    link.emit("connected");
    await waitFor("delivered", async () => (await s.outbox.undelivered()).length === 0 || undefined, 5_000);
    expect(link.published).toHaveLength(4);
    expect(
      link.published
        .slice(2)
        .map((p) => p.payload)
        .sort(),
    ).toEqual(
      link.published
        .slice(0, 2)
        .map((p) => p.payload)
        .sort(),
    );
  });

  it("prunes delivered rows older than 7 days", async () => {
    const link = new ScriptedLink();
    await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1 });
    const [old] = await allRows(s.store);
    await s.outbox.markDelivered(old!.seq, now - 8 * 24 * 3600_000);
    await s.events.insert({ cameraId: "front", type: "motion", startedAt: 2 });
    const [, recent] = await allRows(s.store);
    await s.outbox.markDelivered(recent!.seq, now - 6 * 24 * 3600_000);
    const { x } = sender(link);
    await x.start();
    await waitFor("pruned", async () => (await allRows(s.store)).length === 1 || undefined, 5_000);
    expect((await allRows(s.store))[0]?.seq).toBe(recent!.seq);
  });

  it("frames a row with its id and creation time on evt/{type}, and refuses what no longer fits", async () => {
    const ev = await s.events.insert({ cameraId: "front", type: "manual", startedAt: 5 });
    const [row] = await allRows(s.store);
    const frame = outboxFrame(DEVICE, row!);
    expect(frame.ok && frame.topic).toBe(`hc/v1/dev/${DEVICE}/evt/event.started`);
    expect(frame.ok && JSON.parse(frame.payload)).toEqual({
      v: 1,
      id: row!.id,
      ts: row!.created_at,
      type: "event.started",
      body: { eventId: ev.id, cameraId: "front", type: "manual", startedAt: 5, score: 0 },
    });
    expect(outboxFrame(DEVICE, { ...row!, type: "command" })).toEqual({
      ok: false,
      error: "not an event message type: command",
    });
    expect(outboxFrame(DEVICE, { ...row!, body: "{not json" }).ok).toBe(false);
    expect(outboxFrame(DEVICE, { ...row!, topic_kind: "a/b" }).ok).toBe(false);
  });
});
