import { MESSAGE_BODIES } from "@homecam/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MotionEventRecorder } from "../../../src/camera/motion-event-recorder.js";
import { systemClock } from "../../../src/capture/clock.js";
import type { SegmentRing } from "../../../src/capture/ring-buffer.js";
import type { MotionEvent } from "../../../src/motion/event-tracker.js";
import { EventsRepo } from "../../../src/store/events-repo.js";
import { StoreClipIndex } from "../../../src/store/store-clip-index.js";
import { cameraConfig } from "../camera/helpers.js";
import {
  allRows,
  breakOutboxInserts,
  capturingLogger,
  clip,
  type OutboxStore,
  openOutboxStore,
  tempDir,
  waitFor,
} from "./outbox-fixture.js";

const body = (row: { body: string }) => JSON.parse(row.body) as Record<string, unknown>;

describe("outbox rows written with the facts", () => {
  let dir: { path: string; remove(): Promise<void> };
  let s: OutboxStore;

  beforeEach(async () => {
    dir = await tempDir("outbox-store");
    s = await openOutboxStore(dir.path);
  });
  afterEach(async () => {
    await s.store.close();
    await dir.remove();
  });

  it("queues started, ended and each clip's recording.ready in order, with schema-valid bodies", async () => {
    const ev = await s.events.insert({
      cameraId: "front",
      type: "motion",
      startedAt: 1_000,
      score: 0.4,
      metadata: { boxes: [[0.1, 0.2, 0.3, 0.4]] },
    });
    const done = await s.events.finish(ev, { endedAt: 9_000, score: 0.8, metadata: { endReason: "gap" } }, [
      clip(0, 0),
      clip(1, 10_000),
    ]);
    const rows = await allRows(s.store);
    expect(rows.map((r) => [r.type, r.topic_kind, r.camera_id, r.subject_id])).toEqual([
      ["event.started", "event.started", "front", ev.id],
      ["event.ended", "event.ended", "front", ev.id],
      ["recording.ready", "recording.ready", "front", done.recordings[0]?.id],
      ["recording.ready", "recording.ready", "front", done.recordings[1]?.id],
    ]);
    for (const r of rows) {
      expect(MESSAGE_BODIES[r.type as "event.started"].safeParse(body(r)).success).toBe(true);
      expect(r.delivered_at).toBeNull();
      expect(r.dead_at).toBeNull();
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(4);
    expect(body(rows[0]!)).toEqual({
      eventId: ev.id,
      cameraId: "front",
      type: "motion",
      startedAt: 1_000,
      score: 0.4,
      boxes: [{ x: 0.1, y: 0.2, w: 0.3, h: 0.4 }],
    });
    expect(body(rows[1]!)).toMatchObject({ eventId: ev.id, endedAt: 9_000, durationMs: 8_000, score: 0.8 });
    expect(body(rows[3]!)).toEqual({
      recordingId: done.recordings[1]?.id,
      eventId: ev.id,
      cameraId: "front",
      index: 1,
      startedAt: 10_000,
      endedAt: 20_000,
      durationMs: 10_000,
      sizeBytes: 1001,
      format: "mp4",
    });
  });

  it("keeps at most one undelivered event.updated per event, and drops it when the event ends", async () => {
    const a = await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1_000 });
    const b = await s.events.insert({ cameraId: "garage", type: "motion", startedAt: 1_000 });
    for (const score of [0.1, 0.2, 0.3]) await s.events.update(a.id, { score, metadata: {} });
    await s.events.update(b.id, { score: 0.5, metadata: {} });
    let rows = await allRows(s.store);
    const updates = rows.filter((r) => r.type === "event.updated");
    expect(updates.map((r) => [r.subject_id, body(r).score])).toEqual([
      [a.id, 0.3],
      [b.id, 0.5],
    ]);
    // A delivered update is history: a new one is queued next to it, not instead of it.
    await s.outbox.markDelivered(updates[0]!.seq, 5);
    await s.events.update(a.id, { score: 0.4, metadata: {} });
    rows = await allRows(s.store);
    expect(rows.filter((r) => r.subject_id === a.id && r.type === "event.updated")).toHaveLength(2);

    await s.events.finish(a, { endedAt: 2_000, score: 0.4, metadata: {} });
    rows = await allRows(s.store);
    expect(
      rows.filter((r) => r.subject_id === a.id && r.type === "event.updated" && r.delivered_at === null),
    ).toEqual([]);
    expect(rows.at(-1)?.type).toBe("event.ended");
  });

  it("queues retention.warning and clip.deleted with the clip's removal by retention", async () => {
    const ev = await s.events.insert({ cameraId: "garage", type: "motion", startedAt: 1_000 });
    const { recordings } = await s.events.finish(ev, { endedAt: 5_000, score: 0.5, metadata: {} }, [
      clip(0, 0),
      clip(1, 10_000),
    ]);
    await s.recordings.markUploaded(recordings[1]!.id);
    const index = new StoreClipIndex(s.recordings);
    await index.remove(recordings[0]!.id, "max-disk", false);
    await index.remove(recordings[1]!.id, "age", true);
    const rows = (await allRows(s.store)).slice(4);
    expect(rows.map((r) => [r.type, r.camera_id, body(r)])).toEqual([
      [
        "retention.warning",
        "garage",
        { recordingId: recordings[0]!.id, reason: "max-disk", sizeBytes: 1000 },
      ],
      ["clip.deleted", "garage", { recordingId: recordings[0]!.id, reason: "max-disk", uploaded: false }],
      // An uploaded clip raises no warning, but the cloud still learns why it left the device.
      ["clip.deleted", "garage", { recordingId: recordings[1]!.id, reason: "age", uploaded: true }],
    ]);
    await s.recordings.removeMany([], () => undefined, "user");
    expect(await allRows(s.store)).toHaveLength(7);
  });

  it("sets a fact whose body fails its schema aside (dead) without failing the fact", async () => {
    const { log, lines } = capturingLogger();
    const bad = await openOutboxStore(dir.path, { cameras: [], log });
    try {
      // "Front door" is no valid camera id for the MQTT bodies.
      await bad.store.db
        .insertInto("cameras")
        .values({ id: "Front door", name: "x", source_type: "test", created_at: 1, updated_at: 1 })
        .execute();
      const ev = await bad.events.insert({ cameraId: "Front door", type: "motion", startedAt: 1 });
      expect(await bad.events.get(ev.id)).toBeDefined();
      const [row] = await allRows(bad.store);
      expect(row?.dead_at).not.toBeNull();
      expect(row?.error).toMatch(/invalid event\.started/);
      expect(await bad.outbox.heads()).toEqual([]);
      expect(lines.join("")).toContain("outbox fact set aside");
    } finally {
      await bad.store.close();
    }
  });

  it("writes no outbox rows without a writer (cloud disabled)", async () => {
    const events = new EventsRepo(s.store.db);
    const ev = await events.insert({ cameraId: "front", type: "motion", startedAt: 1 });
    await events.update(ev.id, { score: 0.2, metadata: {} });
    await events.finish(ev, { endedAt: 2, score: 0.2, metadata: {} }, [clip(0, 0)]);
    expect(await allRows(s.store)).toEqual([]);
  });

  it("commits an event and its outbox row together or not at all", async () => {
    const ev = await s.events.insert({ cameraId: "front", type: "motion", startedAt: 1_000 });
    // The event insert fails (duplicate id): no outbox row either.
    await expect(
      s.events.insert({ id: ev.id, cameraId: "front", type: "motion", startedAt: 2 }),
    ).rejects.toThrow();
    expect(await allRows(s.store)).toHaveLength(1);

    // The outbox insert fails: neither the new event, nor the end, nor the clips are written.
    await breakOutboxInserts(s.store);
    await expect(
      s.events.insert({ id: "e2", cameraId: "front", type: "motion", startedAt: 5 }),
    ).rejects.toThrow(/outbox broken/);
    expect(await s.events.get("e2")).toBeUndefined();
    await expect(
      s.events.finish(ev, { endedAt: 9_000, score: 1, metadata: {} }, [clip(0, 0)]),
    ).rejects.toThrow(/outbox broken/);
    expect((await s.events.get(ev.id))?.endedAt).toBeNull();
    expect(await s.recordings.byEvent(ev.id)).toEqual([]);
    expect(await allRows(s.store)).toHaveLength(1);
  });

  it("the motion event recorder writes each fact and its outbox row atomically", async () => {
    const { log } = capturingLogger();
    const ended: string[] = [];
    const recorder = new MotionEventRecorder({
      camera: cameraConfig("front", { source: { type: "test" }, recording: { enabled: false } }),
      // Recording is disabled: the recorder never touches the ring.
      ring: {} as SegmentRing,
      events: s.events,
      clock: systemClock,
      log,
      clipsDir: dir.path,
      tools: {},
      updateIntervalMs: 0,
      closed: new Promise(() => {}),
      serialised: (job) => job(),
      onStarted: () => {},
      onEnded: (d) => ended.push(d.event.id),
    });
    const motion = (peakScore: number): MotionEvent => ({
      type: "motion",
      seq: 1,
      startMs: 1_000,
      lastMotionMs: 2_000,
      frames: 3,
      peakScore,
      peakMs: 1_500,
      peakBoxes: [{ x: 0.1, y: 0.1, w: 0.2, h: 0.2 }],
      area: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
    });
    recorder.apply([{ kind: "start", atMs: 1_000, event: motion(0.3) }]);
    recorder.apply([{ kind: "update", atMs: 1_500, event: motion(0.6) }]);
    await waitFor("start and update", async () => (await allRows(s.store)).length === 2 || undefined, 5_000);
    recorder.apply([{ kind: "end", atMs: 3_000, endMs: 2_000, reason: "gap", event: motion(0.6) }]);
    await recorder.drain();
    const rows = await allRows(s.store);
    expect(rows.map((r) => r.type)).toEqual(["event.started", "event.ended"]);
    expect(body(rows[1]!)).toMatchObject({ eventId: ended[0], score: 0.6, endedAt: 2_000 });

    // With the outbox failing, the recorder's next event leaves neither an event row nor a fact.
    await breakOutboxInserts(s.store);
    recorder.apply([{ kind: "start", atMs: 5_000, event: { ...motion(0.3), startMs: 5_000 } }]);
    recorder.apply([{ kind: "end", atMs: 6_000, endMs: 5_500, reason: "gap", event: motion(0.3) }]);
    await recorder.drain();
    expect(ended).toHaveLength(1);
    expect(await s.events.list()).toHaveLength(1);
    expect(await allRows(s.store)).toHaveLength(2);
  });
});
