import { topics } from "@homecam/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { startFakeAgent, waitFor } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";
import { type EventsApp, frame, frameId, startEventsApp } from "./events-app.js";

const T0 = 1_700_000_000_000;
const started = (eventId: string, cameraId = "porch", extra: Record<string, unknown> = {}) => ({
  eventId,
  cameraId,
  type: "motion" as const,
  startedAt: T0,
  score: 0.4,
  ...extra,
});
const ended = (eventId: string, cameraId = "porch") => ({
  ...started(eventId, cameraId),
  endedAt: T0 + 5000,
  durationMs: 5000,
  score: 0.9,
});
const segment = (recordingId: string, eventId: string | null, cameraId = "porch") => ({
  recordingId,
  eventId,
  cameraId,
  index: 0,
  startedAt: T0,
  endedAt: T0 + 5000,
  durationMs: 5000,
  sizeBytes: 1000,
  format: "mp4" as const,
});

describe.each(TEST_DIALECTS)("event ingest (%s)", (dialect) => {
  let database: TestDatabase;
  let e: EventsApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    e = await startEventsApp(database);
  });
  afterAll(async () => {
    await e?.close();
    await database?.dispose();
  });
  afterEach(() => {
    e.signals.length = 0;
  });

  const events = (deviceId: string) =>
    e.app.db.db.selectFrom("events").selectAll().where("device_id", "=", deviceId).execute();
  const recordings = (deviceId: string) =>
    e.app.db.db.selectFrom("recordings").selectAll().where("device_id", "=", deviceId).execute();

  it("applies MQTT facts from a real agent connection once, however often a frame is delivered", async () => {
    const { device, cameras } = await e.device(["porch"]);
    const agent = await startFakeAgent({ brokerPort: e.broker.port, device });
    const publish = (type: Parameters<typeof topics.evt>[1], payload: string) =>
      agent.client.publishAsync(topics.evt(device.id, type), payload, { qos: 1 });
    try {
      const start = frame("event.started", started("ev1"));
      await publish("event.started", start);
      await publish("event.started", start);
      await publish("event.updated", frame("event.updated", started("ev1", "porch", { score: 0.7 })));
      const end = frame("event.ended", ended("ev1"));
      await publish("event.ended", end);
      await publish("event.ended", end);
      await publish("recording.ready", frame("recording.ready", segment("rec1", "ev1")));
      await waitFor(async () => (await recordings(device.id)).length === 1, 10_000, "the segment");
      await e.ingest.idle();

      const rows = await events(device.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        camera_id: cameras.porch,
        ended_at: T0 + 5000,
        duration_ms: 5000,
        score: 0.9,
      });
      const [rec] = await recordings(device.id);
      expect(rec).toMatchObject({ event_id: rows[0]?.id, camera_id: cameras.porch, size_bytes: 1000 });
      expect(e.signals.map((s) => s.name)).toEqual([
        "eventStarted",
        "eventUpdated",
        "eventEnded",
        "recordingReady",
      ]);
      const ids = await e.app.db.db
        .selectFrom("ingested_messages")
        .select("message_id")
        .where("device_id", "=", device.id)
        .execute();
      expect(ids).toHaveLength(4);
    } finally {
      agent.client.end(true);
    }
  });

  it("never reopens an ended event, nor lowers its score, when a late update arrives", async () => {
    const { device } = await e.device(["porch"]);
    expect(await e.apply(device.id, "event.ended", ended("ev2"))).toBe(true);
    expect(await e.apply(device.id, "event.updated", started("ev2", "porch", { score: 0.5 }))).toBe(true);
    expect(await e.apply(device.id, "event.started", started("ev2"))).toBe(true);
    const [row] = await events(device.id);
    expect(row).toMatchObject({ ended_at: T0 + 5000, duration_ms: 5000, score: 0.9 });
    // Created already ended: one eventEnded, nothing else.
    expect(e.signals.map((s) => s.name)).toEqual(["eventEnded"]);
  });

  it("parks a segment that arrives before its event and links it when the event comes", async () => {
    const { device } = await e.device(["porch"]);
    expect(await e.apply(device.id, "recording.ready", segment("rec2", "ev3"))).toBe(true);
    expect((await recordings(device.id))[0]?.event_id).toBeNull();
    expect(await e.apply(device.id, "event.started", started("ev3"))).toBe(true);
    const [event] = await events(device.id);
    expect((await recordings(device.id))[0]?.event_id).toBe(event?.id);
    // Continuous recording (no event) stays unlinked.
    expect(await e.apply(device.id, "recording.ready", segment("rec3", null))).toBe(true);
    const rec3 = (await recordings(device.id)).find((r) => r.agent_recording_id === "rec3");
    expect(rec3?.event_id).toBeNull();
  });

  it("indexes nothing for an unknown or removed camera, and logs it", async () => {
    const { device, cameras } = await e.device(["porch", "garden"]);
    await e.app.db.db
      .updateTable("cameras")
      .set({ removed_at: e.clock.t })
      .where("id", "=", cameras.garden ?? "")
      .execute();
    expect(await e.apply(device.id, "event.started", started("ev4", "attic"))).toBe(false);
    expect(await e.apply(device.id, "event.started", started("ev5", "garden"))).toBe(false);
    expect(await e.apply(device.id, "recording.ready", segment("rec4", null, "attic"))).toBe(false);
    expect(await events(device.id)).toHaveLength(0);
    expect(await recordings(device.id)).toHaveLength(0);
    expect(e.signals).toHaveLength(0);
    expect(e.app.logs.some((l) => l.reason === "unknown camera" && l.deviceId === device.id)).toBe(true);
  });

  it("accepts only object keys under the device's own prefix", async () => {
    const { device } = await e.device(["porch"]);
    const other = await e.device(["porch"]);
    await e.apply(device.id, "event.started", started("ev6"));
    await e.apply(device.id, "recording.ready", segment("rec6", "ev6"));
    const upload = (objectKey: string, kind: "clip" | "thumbnail" = "clip") =>
      e.apply(device.id, "upload.done", { recordingId: "rec6", objectKey, sizeBytes: 1000, kind });
    expect(await upload(`devices/${other.device.id}/rec6.mp4`)).toBe(false);
    expect(await upload("rec6.mp4")).toBe(false);
    expect(await upload(`devices/${device.id}x/rec6.mp4`)).toBe(false);
    expect((await recordings(device.id))[0]).toMatchObject({ object_key: null, uploaded_at: null });
    expect(e.app.logs.some((l) => l.reason === "foreign object key")).toBe(true);

    expect(await upload(`devices/${device.id}/rec6.mp4`)).toBe(true);
    expect((await recordings(device.id))[0]).toMatchObject({
      object_key: `devices/${device.id}/rec6.mp4`,
      uploaded_at: e.clock.t,
    });
    expect(await upload(`devices/${device.id}/ev6.jpg`, "thumbnail")).toBe(true);
    expect((await events(device.id))[0]?.thumbnail_key).toBe(`devices/${device.id}/ev6.jpg`);
    // A thumbnail key outside the prefix inside an event body is ignored, the rest applied.
    expect(
      await e.apply(
        device.id,
        "event.updated",
        started("ev6", "porch", { thumbnailKey: "devices/x/y.jpg", score: 0.8 }),
      ),
    ).toBe(true);
    expect((await events(device.id))[0]).toMatchObject({
      thumbnail_key: `devices/${device.id}/ev6.jpg`,
      score: 0.8,
    });
    expect(e.signals.filter((s) => s.name === "uploadDone")).toHaveLength(2);
  });

  it("marks a clip deleted locally, once", async () => {
    const { device } = await e.device(["porch"]);
    await e.apply(device.id, "recording.ready", segment("rec7", null));
    const at = e.clock.t;
    expect(
      await e.apply(device.id, "clip.deleted", { recordingId: "rec7", reason: "retention", uploaded: false }),
    ).toBe(true);
    e.clock.t += 1000;
    await e.apply(device.id, "clip.deleted", { recordingId: "rec7", reason: "again", uploaded: false });
    expect((await recordings(device.id))[0]?.local_deleted_at).toBe(at);
    expect(
      await e.apply(device.id, "clip.deleted", { recordingId: "nope", reason: "x", uploaded: false }),
    ).toBe(false);
    expect(
      await e.apply(device.id, "retention.warning", { recordingId: "rec7", reason: "disk", sizeBytes: 1 }),
    ).toBe(true);
    expect(e.signals.map((s) => s.name)).toEqual([
      "recordingReady",
      "clipDeleted",
      "clipDeleted",
      "retentionWarning",
    ]);
  });

  it("POST /api/events is the idempotent HTTP twin, for devices only", async () => {
    const { device } = await e.device(["porch"]);
    const auth = `Bearer ${await device.token()}`;
    const body = { id: frameId(), type: "event.started", body: started("ev8") };
    const first = await call(e.app.url, "POST", "/api/events", { auth, body });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ applied: true });
    const again = await call(e.app.url, "POST", "/api/events", { auth, body });
    expect(again.body.data).toEqual({ applied: false });
    expect(await events(device.id)).toHaveLength(1);

    const bad = await call(e.app.url, "POST", "/api/events", {
      auth,
      body: { id: frameId(), type: "event.started", body: { ...started("ev9"), score: 2 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("E_VALIDATION");
    const unknownType = await call(e.app.url, "POST", "/api/events", {
      auth,
      body: { id: frameId(), type: "command", body: {} },
    });
    expect(unknownType.status).toBe(400);

    expect((await call(e.app.url, "POST", "/api/events", { body })).status).toBe(401);
    const user = await e.app.createUser();
    const asUser = await call(e.app.url, "POST", "/api/events", { auth: e.app.bearer(user), body });
    expect(asUser.status).toBe(403);
  });

  it("forgets frame ids after the keep period (the upsert still keeps one row)", async () => {
    const { device } = await e.device(["porch"]);
    const id = frameId();
    expect(await e.apply(device.id, "event.started", started("ev10"), id)).toBe(true);
    expect(await e.apply(device.id, "event.started", started("ev10"), id)).toBe(false);
    const saved = e.clock.t;
    try {
      e.clock.t += 8 * 86_400_000;
      expect(await e.ingest.prune()).toBeGreaterThan(0);
      const left = await e.app.db.db
        .selectFrom("ingested_messages")
        .select("message_id")
        .where("received_at", "<", e.clock.t - 7 * 86_400_000)
        .execute();
      expect(left).toHaveLength(0);
      expect(await e.apply(device.id, "event.started", started("ev10"), id)).toBe(true);
      expect(await events(device.id)).toHaveLength(1);
    } finally {
      e.clock.t = saved;
    }
  });
});
