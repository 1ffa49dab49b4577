import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call, type TestResponse } from "../../helpers/feature-app.js";
import { type MediaApp, startMediaApp } from "../media/media-app.js";
import { startTestS3, type TestS3 } from "./s3rver-fixture.js";

// `/api/admin/providers` over real HTTP against a real S3-compatible server: CRUD, the test upload
// before saving, at most one default, admins only, and credentials that never come back out.

describe.each(TEST_DIALECTS)("admin storage providers (%s)", (dialect) => {
  let database: TestDatabase;
  let m: MediaApp;
  let s3: TestS3;
  let admin: string;
  const responses: TestResponse[] = [];
  const as = async (user: string | null, method: string, path: string, body?: unknown) => {
    const res = await call(m.app.url, method, path, {
      ...(user ? { auth: m.app.bearer(user) } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    responses.push(res);
    return res;
  };
  const s3Body = (over: Record<string, unknown> = {}) => ({
    name: "main",
    driver: "s3",
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...over,
  });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    m = await startMediaApp(database);
    s3 = await startTestS3("admin-clips");
    admin = await m.app.createUser({ role: "admin" });
  });
  afterAll(async () => {
    await m?.close();
    await s3?.close();
    await database?.dispose();
  });

  it("creates, lists, changes and deletes providers; proves s3 settings first; one default at most", async () => {
    const created = await as(admin, "POST", "/api/admin/providers", s3Body({ isDefault: true }));
    expect(created.status).toBe(201);
    const main = created.body.data;
    expect(main).toMatchObject({
      name: "main",
      driver: "s3",
      bucket: "admin-clips",
      hasCredentials: true,
      isDefault: true,
      isActive: true,
      allowVideos: true,
      allowImages: true,
      ownerUserId: null,
    });
    expect(main).not.toHaveProperty("credentials");

    // Settings the storage refuses are never saved.
    const wrongKey = await as(
      admin,
      "POST",
      "/api/admin/providers",
      s3Body({ name: "bad", credentials: { accessKeyId: "NOPE", secretAccessKey: s3.secretAccessKey } }),
    );
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.error?.code).toBe("E_VALIDATION");
    expect(wrongKey.body.error?.message).toContain("test upload");
    const wrongBucket = await as(
      admin,
      "POST",
      "/api/admin/providers",
      s3Body({ name: "bad", bucket: "no-such" }),
    );
    expect(wrongBucket.status).toBe(400);
    const malformed = await as(
      admin,
      "POST",
      "/api/admin/providers",
      s3Body({ name: "bad", bucket: "Bad_Name" }),
    );
    expect(malformed.status).toBe(400);
    const duplicate = await as(admin, "POST", "/api/admin/providers", s3Body());
    expect(duplicate.status).toBe(409);

    const local = await as(admin, "POST", "/api/admin/providers", {
      name: "local",
      driver: "fs",
      isDefault: true,
      allowImages: false,
      settings: { note: "embedded" },
    });
    expect(local.status).toBe(201);
    expect(local.body.data).toMatchObject({ driver: "fs", hasCredentials: false, isDefault: true });
    const list = await as(admin, "GET", "/api/admin/providers");
    expect(list.status).toBe(200);
    const byName = new Map(
      (list.body.data as Array<{ name: string; isDefault: boolean }>).map((p) => [p.name, p]),
    );
    expect([...byName.keys()].sort()).toEqual(["local", "main"]);
    expect(byName.get("main")?.isDefault).toBe(false);
    expect(byName.get("local")?.isDefault).toBe(true);

    const renamed = await as(admin, "PATCH", `/api/admin/providers/${main.id}`, {
      name: "primary",
      allowImages: false,
      isDefault: true,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: "primary", allowImages: false, isDefault: true });
    const badPatch = await as(admin, "PATCH", `/api/admin/providers/${main.id}`, {
      credentials: { accessKeyId: "NOPE", secretAccessKey: "x" },
    });
    expect(badPatch.status).toBe(400);
    const reproved = await as(admin, "PATCH", `/api/admin/providers/${main.id}`, { forcePathStyle: true });
    expect(reproved.status).toBe(200);
    const defaults = await m.app.db.db
      .selectFrom("storage_providers")
      .select("id")
      .where("is_default", "=", 1)
      .execute();
    expect(defaults.map((d) => d.id)).toEqual([main.id]);
    const fsCreds = await as(admin, "PATCH", `/api/admin/providers/${local.body.data.id}`, { bucket: "abc" });
    expect(fsCreds.status).toBe(400);

    const deleted = await as(admin, "DELETE", `/api/admin/providers/${local.body.data.id}`);
    expect(deleted.body.data).toEqual({ id: local.body.data.id, deleted: true });
    expect((await as(admin, "DELETE", `/api/admin/providers/${local.body.data.id}`)).status).toBe(404);
    expect((await as(admin, "PATCH", "/api/admin/providers/nosuch", { name: "x" })).status).toBe(404);

    // Never returned, never logged, never stored in the clear.
    for (const r of responses) expect(JSON.stringify(r.body)).not.toContain(s3.secretAccessKey);
    expect(JSON.stringify(m.app.logs)).not.toContain(s3.secretAccessKey);
    const row = await m.app.db.db
      .selectFrom("storage_providers")
      .selectAll()
      .where("id", "=", main.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(s3.secretAccessKey);
  });

  it("is for administrators only", async () => {
    const user = await m.app.createUser();
    for (const [method, path, body] of [
      ["GET", "/api/admin/providers", undefined],
      ["POST", "/api/admin/providers", s3Body({ name: "x" })],
      ["PATCH", "/api/admin/providers/abc", { name: "y" }],
      ["DELETE", "/api/admin/providers/abc", undefined],
    ] as const) {
      expect((await as(user, method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await as(null, method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    expect(JSON.stringify(responses.map((r) => r.body))).not.toContain(s3.secretAccessKey);
  });
});
