import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOWNLOAD_URL_TTL_S, UPLOAD_URL_TTL_S } from "../../../src/media/media-module.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { makeTestMp4, patternBytes } from "../storage/storage-fixtures.js";
import { type MediaApp, probeDuration, reportRecording, startMediaApp } from "./media-app.js";

// The whole upload and download path over real HTTP: recording.ready → presign → PUT of a real
// MP4 to the fs driver's URL → complete → presign-get → download, and every way of stepping
// outside one's own device, recording, key or URL lifetime.

const START = Date.UTC(2030, 4, 17, 8, 30, 15, 250);

let mp4: Buffer;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hc-media-test-"));
  mp4 = await makeTestMp4(scratch);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe.each(TEST_DIALECTS)("media routes (%s)", (dialect) => {
  let database: TestDatabase;
  let m: MediaApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    m = await startMediaApp(database);
  });
  afterAll(async () => {
    await m?.close();
    await database?.dispose();
  });

  const recordingOf = (deviceId: string, agentId: string) =>
    m.app.db.db
      .selectFrom("recordings")
      .selectAll()
      .where("device_id", "=", deviceId)
      .where("agent_recording_id", "=", agentId)
      .executeTakeFirstOrThrow();

  /** A device with an owner, and one reported recording of `sizeBytes`. */
  async function setup(agentId: string, sizeBytes = mp4.length) {
    const { device, cameraId } = await m.device("porch", "Front porch");
    const owner = await m.app.createUser();
    await m.grant(device.id, owner, "owner");
    const ready = await reportRecording(m, device, {
      recordingId: agentId,
      cameraId: "porch",
      startedAt: START,
      sizeBytes,
    });
    expect(ready.body.data).toEqual({ applied: true });
    return { device, cameraId, owner, recordingId: (await recordingOf(device.id, agentId)).id };
  }

  async function presign(device: TestDevice, recordingId: string, bytes: Buffer, kind = "clip") {
    const contentType = kind === "clip" ? "video/mp4" : "image/jpeg";
    return m.asDevice(device, "POST", "/api/media/presign", {
      recordingId,
      kind,
      contentType,
      sizeBytes: bytes.length,
    });
  }

  async function upload(device: TestDevice, agentId: string, bytes: Buffer, kind = "clip") {
    const p = await presign(device, agentId, bytes, kind);
    expect(p.status).toBe(200);
    const put = await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: bytes });
    expect(put.status).toBe(200);
    return p.body.data.objectKey as string;
  }

  const complete = (device: TestDevice, body: Record<string, unknown>) =>
    m.asDevice(device, "POST", "/api/media/complete", body);

  it("uploads a real clip and serves it back to the owner and a viewer, never to a stranger", async () => {
    const { device, cameraId, owner, recordingId } = await setup("rec-a1");
    const p = await presign(device, "rec-a1", mp4);
    expect(p.status).toBe(200);
    const key = `devices/${device.id}/porch/2030-05-17/rec-a1.mp4`;
    expect(p.body.data).toMatchObject({
      objectKey: key,
      method: "PUT",
      headers: { "Content-Type": "video/mp4" },
    });
    expect(p.body.data.expiresAt).toBe(Math.floor(m.clock.t / 1000) * 1000 + UPLOAD_URL_TTL_S * 1000);
    const put = await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: mp4 });
    expect(put.status).toBe(200);

    const before = await call(m.app.url, "GET", `/api/clips/${recordingId}/presign-get`, {
      auth: m.app.bearer(owner),
    });
    expect(before.status).toBe(409);
    expect(before.body.error?.code).toBe("E_CONFLICT");

    const done = await complete(device, {
      recordingId: "rec-a1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ uploaded: true, objectKey: key });
    const again = await complete(device, {
      recordingId: "rec-a1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(again.body.data).toEqual({ uploaded: true, objectKey: key });
    await m.ingest.idle();
    expect(m.uploads.filter((u) => u.objectKey === key)).toHaveLength(1);

    const view = await call(m.app.url, "GET", `/api/recordings/${recordingId}`, {
      auth: m.app.bearer(owner),
    });
    expect(view.body.data).toMatchObject({ uploaded: true, objectKey: key });

    const viewer = await m.app.createUser();
    await m.grant(device.id, viewer, "viewer");
    for (const user of [owner, viewer]) {
      const get = await call(m.app.url, "GET", `/api/clips/${recordingId}/presign-get`, {
        auth: m.app.bearer(user),
      });
      expect(get.status).toBe(200);
      expect(get.body.data.expiresAt).toBe(Math.floor(m.clock.t / 1000) * 1000 + DOWNLOAD_URL_TTL_S * 1000);
      const res = await fetch(get.body.data.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(
        'attachment; filename="Front porch-2030-05-17T08-30-15Z.mp4"',
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(mp4)).toBe(true);
      expect(await probeDuration(bytes)).toBeCloseTo(2, 0);
    }
    const log = await m.app.db.db
      .selectFrom("device_access_log")
      .selectAll()
      .where("device_id", "=", device.id)
      .where("action", "=", "clip.download")
      .execute();
    expect(log.map((l) => [l.user_id, l.camera_id, l.outcome, l.detail]).sort()).toEqual(
      [
        [owner, cameraId, "ok", recordingId],
        [viewer, cameraId, "ok", recordingId],
      ].sort(),
    );

    const stranger = await m.app.createUser();
    const refused = await call(m.app.url, "GET", `/api/clips/${recordingId}/presign-get`, {
      auth: m.app.bearer(stranger),
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error?.code).toBe("E_NOT_FOUND");
    const unknown = await call(m.app.url, "GET", "/api/clips/nosuchclip/presign-get", {
      auth: m.app.bearer(owner),
    });
    expect(unknown.status).toBe(404);
    const anonymous = await call(m.app.url, "GET", `/api/clips/${recordingId}/presign-get`);
    expect(anonymous.status).toBe(401);
    const asDevice = await m.asDevice(device, "GET", `/api/clips/${recordingId}/presign-get`);
    expect(asDevice.status).toBe(401);
  });

  it("keeps every device to its own recordings and to the keys the cloud chose", async () => {
    const { device } = await setup("rec-b1");
    const key = await upload(device, "rec-b1", mp4);
    const { device: other } = await setup("rec-b2");

    const foreignPresign = await presign(other, "rec-b1", mp4);
    expect(foreignPresign.status).toBe(404);
    const foreignComplete = await complete(other, {
      recordingId: "rec-b1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(foreignComplete.status).toBe(403);
    // Its own recording id with the first device's key: still outside its prefix.
    const crossed = await complete(other, {
      recordingId: "rec-b2",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(crossed.status).toBe(403);

    // Keys under the device's own prefix that the cloud did not issue for this recording and kind.
    for (const [kind, objectKey] of [
      ["clip", `devices/${device.id}/porch/2030-05-17/other.mp4`],
      ["clip", `devices/${device.id}/yard/2030-05-17/rec-b1.mp4`],
      ["thumbnail", key],
    ] as const) {
      const r = await complete(device, { recordingId: "rec-b1", kind, objectKey, sizeBytes: mp4.length });
      expect(r.status).toBe(403);
      expect(r.body.error?.code).toBe("E_FORBIDDEN");
    }
    const traversal = await complete(device, {
      recordingId: "rec-b1",
      kind: "clip",
      objectKey: `devices/${device.id}/../x.mp4`,
      sizeBytes: mp4.length,
    });
    expect(traversal.status).toBe(400);

    const unknown = await presign(device, "rec-none", mp4);
    expect(unknown.status).toBe(404);
    const wrongType = await m.asDevice(device, "POST", "/api/media/presign", {
      recordingId: "rec-b1",
      kind: "clip",
      contentType: "image/jpeg",
      sizeBytes: 10,
    });
    expect(wrongType.status).toBe(400);
    const user = await m.app.createUser();
    const asUser = await call(m.app.url, "POST", "/api/media/presign", {
      auth: m.app.bearer(user),
      body: { recordingId: "rec-b1", kind: "clip", contentType: "video/mp4", sizeBytes: 10 },
    });
    expect(asUser.status).toBe(403);
    const anonymous = await call(m.app.url, "POST", "/api/media/complete", { body: {} });
    expect(anonymous.status).toBe(401);
    expect((await recordingOf(device.id, "rec-b1")).uploaded_at).toBeNull();
  });

  it("refuses to complete before the object exists or with another size", async () => {
    const { device } = await setup("rec-c1");
    const p = await presign(device, "rec-c1", mp4);
    const key = p.body.data.objectKey;
    const early = await complete(device, {
      recordingId: "rec-c1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(early.status).toBe(409);
    expect(early.body.error?.code).toBe("E_CONFLICT");

    // The URL takes exactly the announced length: a shorter body never becomes the object.
    const short = await fetch(p.body.data.url, {
      method: "PUT",
      headers: p.body.data.headers,
      body: mp4.subarray(0, 100),
    });
    expect(short.status).toBeGreaterThanOrEqual(400);
    expect(await m.fs.head(key)).toBeNull();

    await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: mp4 });
    const wrongSize = await complete(device, {
      recordingId: "rec-c1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length + 1,
    });
    expect(wrongSize.status).toBe(409);
    expect((await recordingOf(device.id, "rec-c1")).uploaded_at).toBeNull();
    const ok = await complete(device, {
      recordingId: "rec-c1",
      kind: "clip",
      objectKey: key,
      sizeBytes: mp4.length,
    });
    expect(ok.status).toBe(200);
    expect((await recordingOf(device.id, "rec-c1")).object_key).toBe(key);
  });

  it("uploads a thumbnail as the recording's event thumbnail", async () => {
    const { device, owner } = await setup("rec-d0");
    const started = await m.asDevice(device, "POST", "/api/events", {
      id: `ev-d1-start-${dialect}`,
      type: "event.started",
      body: { eventId: "ev-d1", cameraId: "porch", type: "motion", startedAt: START, score: 0.5 },
    });
    expect(started.body.data).toEqual({ applied: true });
    await reportRecording(m, device, {
      recordingId: "rec-d1",
      cameraId: "porch",
      startedAt: START,
      sizeBytes: 1,
      eventId: "ev-d1",
    });
    const jpeg = patternBytes(2048);
    const events0 = await call(m.app.url, "GET", "/api/events", { auth: m.app.bearer(owner) });
    const eventId = (events0.body.data.events as Array<{ id: string }>)[0]?.id;
    const thumbPath = `/api/events/${eventId}/thumbnail`;
    const early = await call(m.app.url, "GET", thumbPath, { auth: m.app.bearer(owner) });
    expect(early.status).toBe(409);
    const key = await upload(device, "rec-d1", jpeg, "thumbnail");
    expect(key).toBe(`devices/${device.id}/porch/2030-05-17/rec-d1.jpg`);
    const done = await complete(device, {
      recordingId: "rec-d1",
      kind: "thumbnail",
      objectKey: key,
      sizeBytes: jpeg.length,
    });
    expect(done.status).toBe(200);
    const events = await call(m.app.url, "GET", "/api/events", { auth: m.app.bearer(owner) });
    const event = (events.body.data.events as Array<{ thumbnailKey: string | null }>)[0];
    expect(event?.thumbnailKey).toBe(key);
    // The viewer's way to the picture: a short-lived URL for exactly those bytes, for grant holders.
    const thumb = await call(m.app.url, "GET", thumbPath, { auth: m.app.bearer(owner) });
    expect(thumb.status).toBe(200);
    const got = await fetch(thumb.body.data.url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(jpeg)).toBe(true);
    const stranger = await m.app.createUser();
    const refused = await call(m.app.url, "GET", thumbPath, { auth: m.app.bearer(stranger) });
    expect(refused.status).toBe(404);
    // The clip itself is still not uploaded.
    expect((await recordingOf(device.id, "rec-d1")).uploaded_at).toBeNull();
  });

  it("download URLs expire and open only their own object", async () => {
    const { device, owner, recordingId } = await setup("rec-e1");
    const keyA = await upload(device, "rec-e1", mp4);
    await complete(device, { recordingId: "rec-e1", kind: "clip", objectKey: keyA, sizeBytes: mp4.length });
    await reportRecording(m, device, {
      recordingId: "rec-e2",
      cameraId: "porch",
      startedAt: START,
      sizeBytes: 64,
    });
    const other = patternBytes(64, 7);
    const keyB = await upload(device, "rec-e2", other);
    await complete(device, { recordingId: "rec-e2", kind: "clip", objectKey: keyB, sizeBytes: other.length });

    const get = await call(m.app.url, "GET", `/api/clips/${recordingId}/presign-get`, {
      auth: m.app.bearer(owner),
    });
    const url = new URL(get.body.data.url);
    expect(url.pathname.endsWith(keyA)).toBe(true);
    // Same signature and query, another object's key: refused.
    const swapped = new URL(url);
    swapped.pathname = url.pathname.replace(keyA, keyB);
    expect((await fetch(swapped)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);

    const saved = m.clock.t;
    try {
      m.clock.t = get.body.data.expiresAt + 1000;
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
    } finally {
      m.clock.t = saved;
    }
  });
});
