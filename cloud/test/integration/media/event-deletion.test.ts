import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { type FakeAgent, waitFor } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";
import { patternBytes } from "../storage/storage-fixtures.js";
import { type MediaApp, reportRecording, startMediaApp } from "./media-app.js";

// DELETE /api/events/:id and what follows it, over a real broker with protocol-level fake agents:
// the event's clip and thumbnail leave storage (keys cleared), and the agent gets `event.delete`
// with its own event id exactly once — at once when online, when it comes back when it was not.

const START = Date.UTC(2030, 8, 1, 7, 0, 0);

describe.each(TEST_DIALECTS)("event deletion follow-up (%s)", (dialect) => {
  let database: TestDatabase;
  let m: MediaApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    m = await startMediaApp(database, { relay: true });
  });
  afterAll(async () => {
    await m?.close();
    await database?.dispose();
  });

  /** An event with one uploaded clip and its thumbnail; returns the cloud ids and keys. */
  async function eventWithObjects(device: TestDevice, agentEventId: string) {
    await m.asDevice(device, "POST", "/api/events", {
      id: `${agentEventId}-start`,
      type: "event.started",
      body: { eventId: agentEventId, cameraId: "hall", type: "motion", startedAt: START, score: 0.7 },
    });
    const agentRecordingId = `${agentEventId}-rec`;
    await reportRecording(m, device, {
      recordingId: agentRecordingId,
      cameraId: "hall",
      startedAt: START,
      sizeBytes: 1000,
      eventId: agentEventId,
    });
    const keys: string[] = [];
    for (const [kind, contentType, bytes] of [
      ["clip", "video/mp4", patternBytes(1000, 3)],
      ["thumbnail", "image/jpeg", patternBytes(300, 4)],
    ] as const) {
      const p = await m.asDevice(device, "POST", "/api/media/presign", {
        recordingId: agentRecordingId,
        kind,
        contentType,
        sizeBytes: bytes.length,
      });
      expect(
        (await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: bytes })).status,
      ).toBe(200);
      const done = await m.asDevice(device, "POST", "/api/media/complete", {
        recordingId: agentRecordingId,
        kind,
        objectKey: p.body.data.objectKey,
        sizeBytes: bytes.length,
      });
      expect(done.status).toBe(200);
      keys.push(p.body.data.objectKey);
      expect(await m.fs.head(p.body.data.objectKey)).not.toBeNull();
    }
    const event = await m.app.db.db
      .selectFrom("events")
      .selectAll()
      .where("device_id", "=", device.id)
      .where("agent_event_id", "=", agentEventId)
      .executeTakeFirstOrThrow();
    expect(event.thumbnail_key).toBe(keys[1]);
    return { eventId: event.id, agentRecordingId, keys };
  }

  const deleteCommands = (agent: FakeAgent) =>
    agent.commands.filter((c) => c.command.name === "event.delete");

  async function expectPurged(eventId: string, keys: string[]) {
    await m.deletion?.idle();
    for (const key of keys) expect(await m.fs.head(key)).toBeNull();
    const recordings = await m.app.db.db
      .selectFrom("recordings")
      .select(["object_key", "provider_id"])
      .where("event_id", "=", eventId)
      .execute();
    expect(recordings).toEqual([{ object_key: null, provider_id: null }]);
    const event = await m.app.db.db
      .selectFrom("events")
      .select("thumbnail_key")
      .where("id", "=", eventId)
      .executeTakeFirstOrThrow();
    expect(event.thumbnail_key).toBeNull();
  }

  it("removes the objects and tells the online agent once", async () => {
    const { device } = await m.device("hall", "Hall");
    const owner = await m.app.createUser();
    await m.grant(device.id, owner, "owner");
    const agent = await m.agent({ device });
    await waitFor(() => m.presence?.isOnline(device.id), 5000, "agent online");
    const { eventId, agentRecordingId, keys } = await eventWithObjects(device, "ev-online");

    const del = await call(m.app.url, "DELETE", `/api/events/${eventId}`, { auth: m.app.bearer(owner) });
    expect(del.status).toBe(200);
    await waitFor(() => deleteCommands(agent).length > 0, 5000, "event.delete");
    await expectPurged(eventId, keys);
    expect(deleteCommands(agent).map((c) => c.command.args)).toEqual([{ eventId: "ev-online" }]);

    // Nothing is uploaded for a deleted event any more; later sweeps and statuses send nothing again.
    const late = await m.asDevice(device, "POST", "/api/media/presign", {
      recordingId: agentRecordingId,
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: 10,
    });
    expect(late.status).toBe(404);
    await m.deletion?.sweep();
    await agent.publishStatus({ state: "online", agentVersion: "0.0.0-fake", cameras: [] });
    await m.deletion?.sweep(device.id);
    await m.deletion?.idle();
    expect(deleteCommands(agent)).toHaveLength(1);
  });

  it("tells an offline agent when it comes back, exactly once", async () => {
    const { device } = await m.device("hall", "Hall 2");
    const owner = await m.app.createUser();
    await m.grant(device.id, owner, "owner");
    const { eventId, keys } = await eventWithObjects(device, "ev-offline");
    expect(m.presence?.isOnline(device.id)).toBe(false);

    const del = await call(m.app.url, "DELETE", `/api/events/${eventId}`, { auth: m.app.bearer(owner) });
    expect(del.status).toBe(200);
    await waitFor(
      async () => {
        await m.deletion?.idle();
        const row = await m.app.db.db
          .withTables<{ event_deletions: { event_id: string; purged_at: number | null } }>()
          .selectFrom("event_deletions")
          .select("purged_at")
          .where("event_id", "=", eventId)
          .executeTakeFirst();
        return row?.purged_at;
      },
      5000,
      "purge",
    );
    await expectPurged(eventId, keys);
    await m.deletion?.sweep();
    await m.deletion?.idle();

    const agent = await m.agent({ device });
    await waitFor(() => deleteCommands(agent).length > 0, 5000, "event.delete after reconnect");
    await m.deletion?.idle();
    expect(deleteCommands(agent).map((c) => c.command.args)).toEqual([{ eventId: "ev-offline" }]);

    // Back again later: already told, nothing is sent.
    await agent.stop();
    await waitFor(() => !m.presence?.isOnline(device.id), 5000, "agent offline");
    const again = await m.agent({ device });
    await waitFor(() => m.presence?.isOnline(device.id), 5000, "agent online again");
    await m.deletion?.sweep();
    await m.deletion?.idle();
    expect(deleteCommands(again)).toEqual([]);
  });
});
