import { MULTIPART_PART_BYTES } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { startTestS3, type TestS3 } from "../providers/s3rver-fixture.js";
import { patternBytes } from "../storage/storage-fixtures.js";
import { type MediaApp, reportRecording, startMediaApp } from "./media-app.js";

// A 20 MB clip through the admin's default provider (a real S3-compatible server): presign answers
// parts, a restarted upload resumes the same multipart upload with fresh part URLs, a foreign
// uploadId is refused, complete assembles the parts once. The deployment's own store is fs, which
// keeps thumbnails here (the provider takes videos only) and answers single PUTs whatever the size.

const START = Date.UTC(2030, 7, 1, 9, 0, 0);
const SIZE = 20 * 1024 * 1024;

describe.each(TEST_DIALECTS)("multipart uploads (%s)", (dialect) => {
  let database: TestDatabase;
  let m: MediaApp;
  let s3: TestS3;
  let clip: Buffer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    s3 = await startTestS3("multipart-clips");
    m = await startMediaApp(database);
    clip = patternBytes(SIZE, 5);
    const admin = await m.app.createUser({ role: "admin" });
    const created = await call(m.app.url, "POST", "/api/admin/providers", {
      auth: m.app.bearer(admin),
      body: {
        name: "cloud-s3",
        driver: "s3",
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        allowImages: false,
        isDefault: true,
      },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await m?.close();
    await s3?.close();
    await database?.dispose();
  });

  it("uploads 20 MB in parts, resumes with the same uploadId and completes exactly once", async () => {
    const { device } = await m.device("drive", "Driveway");
    const owner = await m.app.createUser();
    await m.grant(device.id, owner, "owner");
    await reportRecording(m, device, {
      recordingId: "rec-big",
      cameraId: "drive",
      startedAt: START,
      sizeBytes: SIZE,
    });
    const presign = (over: Record<string, unknown> = {}) =>
      m.asDevice(device, "POST", "/api/media/presign", {
        recordingId: "rec-big",
        kind: "clip",
        contentType: "video/mp4",
        sizeBytes: SIZE,
        ...over,
      });
    const first = await presign();
    expect(first.status).toBe(200);
    const plan = first.body.data;
    expect(plan).toMatchObject({ mode: "multipart", partSizeBytes: MULTIPART_PART_BYTES });
    expect(plan.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    expect(plan.parts[0].url.startsWith(s3.endpoint)).toBe(true);

    const etags = new Map<number, string>();
    const putPart = async (part: { partNumber: number; url: string; headers: Record<string, string> }) => {
      const from = (part.partNumber - 1) * MULTIPART_PART_BYTES;
      const res = await fetch(part.url, {
        method: "PUT",
        headers: part.headers,
        body: clip.subarray(from, Math.min(from + MULTIPART_PART_BYTES, SIZE)),
      });
      expect(res.status).toBe(200);
      etags.set(part.partNumber, res.headers.get("etag") ?? "");
    };
    await putPart(plan.parts[0]);

    // The agent restarted: the same upload, its parts signed again.
    m.clock.t += 60_000;
    const resumed = await presign({ uploadId: plan.uploadId });
    expect(resumed.status).toBe(200);
    expect(resumed.body.data.uploadId).toBe(plan.uploadId);
    expect(resumed.body.data.parts).toHaveLength(3);
    expect(resumed.body.data.parts[1].expiresAt).toBeGreaterThan(plan.parts[1].expiresAt);
    const foreign = await presign({ uploadId: "not-this-upload" });
    expect(foreign.status).toBe(409);
    expect(foreign.body.error?.code).toBe("E_CONFLICT");
    await putPart(resumed.body.data.parts[1]);
    await putPart(resumed.body.data.parts[2]);

    const complete = (over: Record<string, unknown> = {}) =>
      m.asDevice(device, "POST", "/api/media/complete", {
        recordingId: "rec-big",
        kind: "clip",
        objectKey: plan.objectKey,
        sizeBytes: SIZE,
        uploadId: plan.uploadId,
        parts: [...etags].map(([partNumber, etag]) => ({ partNumber, etag })),
        ...over,
      });
    expect((await complete({ uploadId: "not-this-upload" })).status).toBe(409);
    expect((await complete({ parts: undefined })).status).toBe(400);
    const done = await complete();
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ uploaded: true, objectKey: plan.objectKey });
    expect((await s3.driver.head(plan.objectKey))?.sizeBytes).toBe(SIZE);
    // A repeat after success (the storage forgot the upload id) still answers ok.
    expect((await complete()).status).toBe(200);
    await m.ingest.idle();
    expect(m.uploads.filter((u) => u.objectKey === plan.objectKey)).toHaveLength(1);
    const row = await m.app.db.db
      .selectFrom("recordings")
      .select(["provider_id", "uploaded_at"])
      .where("device_id", "=", device.id)
      .executeTakeFirstOrThrow();
    expect(row.provider_id).not.toBeNull();
    expect(row.uploaded_at).not.toBeNull();
    expect(await m.app.db.db.selectFrom("media_uploads").selectAll().execute()).toEqual([]);

    const get = await call(m.app.url, "GET", `/api/clips/${await recordingId(device.id)}/presign-get`, {
      auth: m.app.bearer(owner),
    });
    const downloaded = Buffer.from(await (await fetch(get.body.data.url)).arrayBuffer());
    expect(downloaded.equals(clip)).toBe(true);

    // Thumbnails are not this provider's kind: the deployment's fs store takes them, in one PUT.
    const thumb = await presign({ kind: "thumbnail", contentType: "image/jpeg", sizeBytes: SIZE });
    expect(thumb.body.data.mode).toBe("single");
    expect(thumb.body.data.url.startsWith(m.app.url)).toBe(true);
  });

  it("starts a fresh upload in the same store when the agent presigns without its uploadId", async () => {
    const { device } = await m.device("gate", "Gate");
    await reportRecording(m, device, {
      recordingId: "rec-over",
      cameraId: "gate",
      startedAt: START,
      sizeBytes: SIZE,
    });
    const presign = (over: Record<string, unknown> = {}) =>
      m.asDevice(device, "POST", "/api/media/presign", {
        recordingId: "rec-over",
        kind: "clip",
        contentType: "video/mp4",
        sizeBytes: SIZE,
        ...over,
      });
    const first = (await presign()).body.data;
    const over = (await presign()).body.data;
    expect(over.mode).toBe("multipart");
    expect(over.uploadId).not.toBe(first.uploadId);
    expect(over.parts[0].url.startsWith(s3.endpoint)).toBe(true);
    expect((await presign({ uploadId: first.uploadId })).status).toBe(409);
    expect((await presign({ uploadId: over.uploadId })).body.data.uploadId).toBe(over.uploadId);
  });

  async function recordingId(deviceId: string): Promise<string> {
    const row = await m.app.db.db
      .selectFrom("recordings")
      .select("id")
      .where("device_id", "=", deviceId)
      .executeTakeFirstOrThrow();
    return row.id;
  }
});
