import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { type FakeAgent, waitFor } from "../../helpers/fake-agent.js";
import { call } from "../../helpers/feature-app.js";
import { type MediaApp, startMediaApp } from "../media/media-app.js";
import { patternBytes } from "../storage/storage-fixtures.js";
import { frameId } from "./events-app.js";

// The recording routes that write: POST /api/recordings (the device's HTTP twin of its recording
// facts), PUT /api/recordings/:id (the owner's note) and DELETE /api/recordings/:id (gone from
// every read at once; its stored clip removed and its agent told with `recording.delete`, durably).

const START = Date.UTC(2030, 9, 1, 7, 0, 0);

describe.each(TEST_DIALECTS)("recording writes (%s)", (dialect) => {
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

  /** A device with camera "hall", its owner, a viewer and a stranger. */
  async function household(name: string) {
    const { device, cameraId } = await m.device("hall", name);
    const [owner, viewer, stranger] = [
      await m.app.createUser(),
      await m.app.createUser(),
      await m.app.createUser(),
    ];
    await m.grant(device.id, owner, "owner");
    await m.grant(device.id, viewer, "viewer");
    return { device, cameraId, owner, viewer, stranger };
  }

  const ready = (agentRecordingId: string, eventId: string | null, index = 0) => ({
    recordingId: agentRecordingId,
    eventId,
    cameraId: "hall",
    index,
    startedAt: START + index * 2000,
    endedAt: START + (index + 1) * 2000,
    durationMs: 2000,
    sizeBytes: 1000,
    format: "mp4",
  });

  const postRecording = (device: TestDevice, type: string, body: unknown, id = frameId()) =>
    m.asDevice(device, "POST", "/api/recordings", { id, type, body });

  async function cloudId(deviceId: string, agentRecordingId: string): Promise<string> {
    const row = await m.app.db.db
      .selectFrom("recordings")
      .select("id")
      .where("device_id", "=", deviceId)
      .where("agent_recording_id", "=", agentRecordingId)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Upload the recording's clip through presign → PUT → complete; returns its object key. */
  async function upload(device: TestDevice, agentRecordingId: string): Promise<string> {
    const bytes = patternBytes(1000, 5);
    const p = await m.asDevice(device, "POST", "/api/media/presign", {
      recordingId: agentRecordingId,
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: bytes.length,
    });
    expect(p.status).toBe(200);
    const put = await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: bytes });
    expect(put.status).toBe(200);
    const done = await m.asDevice(device, "POST", "/api/media/complete", {
      recordingId: agentRecordingId,
      kind: "clip",
      objectKey: p.body.data.objectKey,
      sizeBytes: bytes.length,
    });
    expect(done.status).toBe(200);
    expect(await m.fs.head(p.body.data.objectKey)).not.toBeNull();
    return p.body.data.objectKey;
  }

  const deleteCommands = (agent: FakeAgent) =>
    agent.commands.filter((c) => c.command.name === "recording.delete");

  it("POST /api/recordings applies recording facts once per id and refuses other fact types", async () => {
    const { device, owner } = await household("Hall post");
    const id = frameId();
    expect(await postRecording(device, "recording.ready", ready("p1", null), id)).toMatchObject({
      status: 200,
      body: { data: { applied: true } },
    });
    expect((await postRecording(device, "recording.ready", ready("p1", null), id)).body.data).toEqual({
      applied: false,
    });
    const recordingId = await cloudId(device.id, "p1");
    const deleted = await postRecording(device, "clip.deleted", {
      recordingId: "p1",
      reason: "retention",
      uploaded: false,
    });
    expect(deleted.body.data).toEqual({ applied: true });
    const read = await call(m.app.url, "GET", `/api/recordings/${recordingId}`, {
      auth: m.app.bearer(owner),
    });
    expect(read.body.data).toMatchObject({ id: recordingId, note: null });
    expect(read.body.data.localDeletedAt).not.toBeNull();

    // Event facts belong to POST /api/events; a malformed recording body fails like over MQTT.
    const started = { eventId: "e1", cameraId: "hall", type: "motion", startedAt: START, score: 0.5 };
    expect(await postRecording(device, "event.started", started)).toMatchObject({
      status: 400,
      body: { error: { code: "E_VALIDATION" } },
    });
    expect((await postRecording(device, "upload.done", {})).status).toBe(400);
    expect((await postRecording(device, "recording.ready", { recordingId: "p2" })).status).toBe(400);
    const count = await m.app.db.db
      .selectFrom("recordings")
      .select("id")
      .where("device_id", "=", device.id)
      .execute();
    expect(count).toHaveLength(1);
  });

  it("PUT /api/recordings/:id stores the owner's trimmed note; viewer 403, stranger 404, too long 400", async () => {
    const { device, owner, viewer, stranger } = await household("Hall note");
    await postRecording(device, "recording.ready", ready("n1", null));
    const id = await cloudId(device.id, "n1");
    const put = (user: string, body: unknown) =>
      call(m.app.url, "PUT", `/api/recordings/${id}`, { auth: m.app.bearer(user), body });

    const saved = await put(owner, { note: "  the parcel thief \n" });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ id, note: "the parcel thief" });
    const read = await call(m.app.url, "GET", `/api/recordings/${id}`, { auth: m.app.bearer(viewer) });
    expect(read.body.data.note).toBe("the parcel thief");

    expect(await put(viewer, { note: "mine" })).toMatchObject({
      status: 403,
      body: { error: { code: "E_FORBIDDEN" } },
    });
    // Authorization before validation: a stranger's invalid body still gets the 404.
    expect(await put(stranger, { note: "x".repeat(501) })).toMatchObject({ status: 404 });
    expect(await put(owner, { note: "x".repeat(501) })).toMatchObject({
      status: 400,
      body: { error: { code: "E_VALIDATION" } },
    });
    expect((await put(owner, { note: ` ${"y".repeat(500)} ` })).body.data.note).toBe("y".repeat(500));
    expect((await put(owner, { note: null })).body.data.note).toBeNull();
    expect((await put(owner, { note: "   " })).body.data.note).toBeNull();
    expect((await put(owner, {})).status).toBe(400);
  });

  it("DELETE /api/recordings/:id hides the clip everywhere, removes its object and tells the agent once", async () => {
    const { device, cameraId, owner, viewer, stranger } = await household("Hall delete");
    const agent = await m.agent({ device });
    await waitFor(() => m.presence?.isOnline(device.id), 5000, "agent online");
    await m.asDevice(device, "POST", "/api/events", {
      id: frameId(),
      type: "event.ended",
      body: {
        eventId: "ev-d",
        cameraId: "hall",
        type: "motion",
        startedAt: START,
        endedAt: START + 4000,
        durationMs: 4000,
        score: 0.8,
      },
    });
    await postRecording(device, "recording.ready", ready("d0", "ev-d", 0));
    await postRecording(device, "recording.ready", ready("d1", "ev-d", 1));
    const [gone, kept] = [await cloudId(device.id, "d0"), await cloudId(device.id, "d1")];
    const [goneKey, keptKey] = [await upload(device, "d0"), await upload(device, "d1")];
    const auth = m.app.bearer(owner);
    const eventId = (await call(m.app.url, "GET", `/api/events?cameraId=${cameraId}`, { auth })).body.data
      .events[0].id;

    const del = (user: string) =>
      call(m.app.url, "DELETE", `/api/recordings/${gone}`, { auth: m.app.bearer(user) });
    expect((await del(viewer)).status).toBe(403);
    expect((await del(stranger)).status).toBe(404);
    expect(await del(owner)).toMatchObject({ status: 200, body: { data: { id: gone, deleted: true } } });

    // Gone from every read at once, for the owner as for the viewer; its sibling and event stay.
    for (const path of [`/api/recordings/${gone}`, `/api/clips/${gone}/presign-get`]) {
      expect((await call(m.app.url, "GET", path, { auth })).status, path).toBe(404);
    }
    const list = await call(m.app.url, "GET", `/api/recordings?cameraId=${cameraId}`, { auth });
    expect(list.body.data.recordings.map((r: { id: string }) => r.id)).toEqual([kept]);
    const ofEvent = await call(m.app.url, "GET", `/api/events/${eventId}/recordings`, { auth });
    expect(ofEvent.body.data.map((r: { id: string }) => r.id)).toEqual([kept]);
    const stats = await call(m.app.url, "GET", `/api/recordings/stats?cameraId=${cameraId}`, { auth });
    expect(stats.body.data).toMatchObject({ count: 1, bytes: 1000, uploaded: { count: 1, bytes: 1000 } });
    expect((await call(m.app.url, "GET", `/api/events/${eventId}`, { auth })).status).toBe(200);
    expect((await call(m.app.url, "GET", `/api/clips/${kept}/presign-get`, { auth })).status).toBe(200);
    expect((await del(owner)).status).toBe(404);
    // The device takes no new upload for it either (a late presign would only make an orphan).
    const late = await m.asDevice(device, "POST", "/api/media/presign", {
      recordingId: "d0",
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: 1000,
    });
    expect(late.status).toBe(404);

    // The object leaves the store it was written to (fs: the file); the agent hears of it once.
    await waitFor(() => deleteCommands(agent).length > 0, 5000, "recording.delete");
    await m.deletion?.idle();
    expect(await m.fs.head(goneKey)).toBeNull();
    expect(await m.fs.head(keptKey)).not.toBeNull();
    expect(deleteCommands(agent).map((c) => c.command.args)).toEqual([{ recordingId: "d0" }]);
    const row = await m.app.db.db
      .selectFrom("recordings")
      .select(["object_key", "provider_id"])
      .where("id", "=", gone)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ object_key: null, provider_id: null });
    await m.deletion?.sweep();
    await agent.publishStatus({ state: "online", agentVersion: "0.0.0-fake", cameras: [] });
    await m.deletion?.sweep(device.id);
    await m.deletion?.idle();
    expect(deleteCommands(agent)).toHaveLength(1);
  });

  it("tells an offline agent when it comes back, and removes a clip uploaded after the delete", async () => {
    const { device, owner } = await household("Hall offline");
    await postRecording(device, "recording.ready", ready("o1", null));
    const id = await cloudId(device.id, "o1");
    const key = await upload(device, "o1");
    expect(m.presence?.isOnline(device.id)).toBe(false);

    const del = await call(m.app.url, "DELETE", `/api/recordings/${id}`, { auth: m.app.bearer(owner) });
    expect(del.status).toBe(200);
    await waitFor(
      async () => {
        await m.deletion?.idle();
        return (await m.fs.head(key)) === null;
      },
      5000,
      "purge",
    );

    // The agent uploaded it again in the moment of the delete: its upload.done reopens the purge.
    const late = `devices/${device.id}/late-o1.mp4`;
    const put = await m.fs.presignPut(late, { contentType: "video/mp4", contentLength: 10, expiresInS: 60 });
    expect(
      (await fetch(put.url, { method: "PUT", headers: put.headers, body: patternBytes(10, 1) })).status,
    ).toBe(200);
    const done = await m.asDevice(device, "POST", "/api/events", {
      id: frameId(),
      type: "upload.done",
      body: { recordingId: "o1", objectKey: late, sizeBytes: 10, kind: "clip" },
    });
    expect(done.body.data).toEqual({ applied: true });
    expect(
      (await call(m.app.url, "GET", `/api/recordings/${id}`, { auth: m.app.bearer(owner) })).status,
    ).toBe(404);
    await m.deletion?.sweep();
    await m.deletion?.idle();
    expect(await m.fs.head(late)).toBeNull();

    const agent = await m.agent({ device });
    await waitFor(() => deleteCommands(agent).length > 0, 5000, "recording.delete after reconnect");
    await m.deletion?.idle();
    expect(deleteCommands(agent).map((c) => c.command.args)).toEqual([{ recordingId: "o1" }]);
    await m.deletion?.sweep();
    await m.deletion?.idle();
    expect(deleteCommands(agent)).toHaveLength(1);
  });
});
