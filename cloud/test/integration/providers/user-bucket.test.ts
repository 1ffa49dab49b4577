import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3StorageDriver } from "../../../src/storage/s3-driver.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { call, type TestResponse } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { type MediaApp, reportRecording, startMediaApp } from "../media/media-app.js";
import { patternBytes } from "../storage/storage-fixtures.js";
import { startTestS3, type TestS3 } from "./s3rver-fixture.js";

// Bring your own bucket, with two real S3-compatible servers: the deployment's configured store
// and user A's own. A's devices upload to A's bucket, B's do not; once A goes back to the default,
// A's earlier clips still download from A's bucket and new ones go to the default.

const START = Date.UTC(2030, 6, 1, 12, 0, 0);

describe.each(TEST_DIALECTS)("a user's own bucket (%s)", (dialect) => {
  let database: TestDatabase;
  let m: MediaApp;
  let deploy: TestS3;
  let own: TestS3;
  let deployDriver: S3StorageDriver;
  const responses: TestResponse[] = [];
  const as = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await call(m.app.url, method, path, { auth: m.app.bearer(user), body });
    responses.push(res);
    return res;
  };
  const ownBody = (over: Record<string, unknown> = {}) => ({
    endpoint: own.endpoint,
    bucket: own.bucket,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey },
    ...over,
  });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    [deploy, own] = await Promise.all([startTestS3("deploy-clips"), startTestS3("user-a-clips")]);
    deployDriver = new S3StorageDriver(deploy.config, { log: silentLogger() });
    m = await startMediaApp(database, { defaultStorage: deployDriver });
  });
  afterAll(async () => {
    await m?.close();
    deployDriver?.close();
    await deploy?.close();
    await own?.close();
    await database?.dispose();
  });

  /** recording.ready → presign → PUT → complete; returns the recording id and key. */
  async function uploadClip(device: TestDevice, agentId: string, bytes: Buffer) {
    await reportRecording(m, device, {
      recordingId: agentId,
      cameraId: "yard",
      startedAt: START,
      sizeBytes: bytes.length,
    });
    const p = await m.asDevice(device, "POST", "/api/media/presign", {
      recordingId: agentId,
      kind: "clip",
      contentType: "video/mp4",
      sizeBytes: bytes.length,
    });
    expect(p.status).toBe(200);
    expect(p.body.data.mode).toBe("single");
    const put = await fetch(p.body.data.url, { method: "PUT", headers: p.body.data.headers, body: bytes });
    expect(put.status).toBe(200);
    const key = p.body.data.objectKey as string;
    const done = await m.asDevice(device, "POST", "/api/media/complete", {
      recordingId: agentId,
      kind: "clip",
      objectKey: key,
      sizeBytes: bytes.length,
    });
    expect(done.status).toBe(200);
    const row = await m.app.db.db
      .selectFrom("recordings")
      .selectAll()
      .where("device_id", "=", device.id)
      .where("agent_recording_id", "=", agentId)
      .executeTakeFirstOrThrow();
    return { id: row.id, key, providerId: row.provider_id, url: p.body.data.url as string };
  }

  async function download(user: string, recordingId: string): Promise<{ url: string; bytes: Buffer }> {
    const get = await as(user, "GET", `/api/clips/${recordingId}/presign-get`);
    expect(get.status).toBe(200);
    const res = await fetch(get.body.data.url);
    expect(res.status).toBe(200);
    return { url: get.body.data.url, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it("stores A's clips in A's bucket only, and keeps them readable after A goes back to the default", async () => {
    const a = await m.app.createUser();
    const b = await m.app.createUser();
    const { device: devA } = await m.device("yard", "Yard A");
    const { device: devB } = await m.device("yard", "Yard B");
    await m.grant(devA.id, a, "owner");
    await m.grant(devB.id, b, "owner");

    expect((await as(a, "GET", "/api/storage/provider")).body.data).toEqual({
      source: "embedded",
      provider: null,
    });
    // Refused settings are not saved: the test upload fails first.
    const refused = await as(a, "PUT", "/api/storage/provider", ownBody({ bucket: "no-such-bucket" }));
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe("E_VALIDATION");
    expect((await as(a, "GET", "/api/storage/provider")).body.data.source).toBe("embedded");

    const set = await as(a, "PUT", "/api/storage/provider", ownBody());
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({
      source: "own",
      provider: {
        driver: "s3",
        bucket: "user-a-clips",
        hasCredentials: true,
        ownerUserId: a,
        isActive: true,
      },
    });
    const providerA = set.body.data.provider.id as string;
    expect((await as(b, "GET", "/api/storage/provider")).body.data.source).toBe("embedded");

    const clipA = patternBytes(3000, 11);
    const upA = await uploadClip(devA, "rec-a1", clipA);
    expect(upA.url.startsWith(own.endpoint)).toBe(true);
    expect(upA.providerId).toBe(providerA);
    expect((await own.driver.head(upA.key))?.sizeBytes).toBe(clipA.length);
    expect(await deployDriver.head(upA.key)).toBeNull();

    const clipB = patternBytes(2000, 12);
    const upB = await uploadClip(devB, "rec-b1", clipB);
    expect(upB.url.startsWith(deploy.endpoint)).toBe(true);
    expect(upB.providerId).toBeNull();
    expect((await deployDriver.head(upB.key))?.sizeBytes).toBe(clipB.length);
    expect(await own.driver.head(upB.key)).toBeNull();

    // An admin cannot delete a provider that still holds clips.
    const admin = await m.app.createUser({ role: "admin" });
    const conflict = await as(admin, "DELETE", `/api/admin/providers/${providerA}`);
    expect(conflict.status).toBe(409);

    const back = await as(a, "DELETE", "/api/storage/provider");
    expect(back.status).toBe(200);
    expect(back.body.data).toEqual({ source: "embedded", provider: null });
    const kept = await m.app.db.db
      .selectFrom("storage_providers")
      .select(["is_active", "owner_user_id"])
      .where("id", "=", providerA)
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ is_active: 0, owner_user_id: a });

    const old = await download(a, upA.id);
    expect(old.url.startsWith(own.endpoint)).toBe(true);
    expect(old.bytes.equals(clipA)).toBe(true);
    const clipA2 = patternBytes(1500, 13);
    const upA2 = await uploadClip(devA, "rec-a2", clipA2);
    expect(upA2.url.startsWith(deploy.endpoint)).toBe(true);
    expect(upA2.providerId).toBeNull();
    expect(await own.driver.head(upA2.key)).toBeNull();
    expect((await download(a, upA2.id)).bytes.equals(clipA2)).toBe(true);
    expect((await download(b, upB.id)).bytes.equals(clipB)).toBe(true);

    // Setting a bucket again, then removing it: an empty former bucket row is deleted outright.
    const again = await as(a, "PUT", "/api/storage/provider", ownBody());
    const second = again.body.data.provider.id as string;
    expect(second).not.toBe(providerA);
    await as(a, "DELETE", "/api/storage/provider");
    const gone = await m.app.db.db
      .selectFrom("storage_providers")
      .select("id")
      .where("id", "=", second)
      .execute();
    expect(gone).toEqual([]);

    for (const r of responses) expect(JSON.stringify(r.body)).not.toContain(own.secretAccessKey);
    expect(JSON.stringify(m.app.logs)).not.toContain(own.secretAccessKey);
  });
});
