import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type MediaApp, startMediaApp } from "../media/media-app.js";
import { startTestS3, type TestS3 } from "./s3rver-fixture.js";

// With the deployment default (`userStorage.allowPrivateEndpoints: false`), a user cannot point the
// cloud at its own network: a bucket on 127.0.0.1 is refused before any request is sent to it, even
// though the bucket there is real and the credentials are right.

describe.each(TEST_DIALECTS)("users' buckets on private addresses (%s)", (dialect) => {
  let database: TestDatabase;
  let s3: TestS3;
  let m: MediaApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    s3 = await startTestS3("lan-bucket");
    m = await startMediaApp(database, { allowPrivateUserEndpoints: false });
  });
  afterAll(async () => {
    await m?.close();
    await s3?.close();
    await database?.dispose();
  });

  it("refuses a loopback endpoint with E_VALIDATION and saves nothing", async () => {
    const user = await m.app.createUser();
    const res = await call(m.app.url, "PUT", "/api/storage/provider", {
      auth: m.app.bearer(user),
      body: {
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("E_VALIDATION");
    expect(res.body.error?.message).toContain("private");
    const now = await call(m.app.url, "GET", "/api/storage/provider", { auth: m.app.bearer(user) });
    expect(now.body.data.source).toBe("embedded");
  });
});
