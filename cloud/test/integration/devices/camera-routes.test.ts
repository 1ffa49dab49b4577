import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { type DevicesApp, startDevicesApp } from "./devices-app.js";

describe.each(TEST_DIALECTS)("camera routes on %s", (dialect) => {
  let database: TestDatabase;
  let app: DevicesApp;
  let now = 1_800_000_000_000;
  let owner: string;
  let viewer: string;
  let stranger: string;
  let deviceId: string;
  let cameraId: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startDevicesApp(database, () => now);
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });
  beforeEach(async () => {
    now += 1000;
    owner = await app.createUser();
    viewer = await app.createUser();
    stranger = await app.createUser();
    deviceId = await app.insertDevice({ status: "offline" });
    await app.grant(deviceId, owner, "owner");
    await app.grant(deviceId, viewer, "viewer", owner);
    cameraId = await app.insertCamera(deviceId, "front-door", { name: "Front door", status: "online" });
  });

  const as = (userId: string) => app.bearer(userId);

  it("lists every visible camera of every granted device, with the caller's role and presence", async () => {
    const other = await app.insertDevice({ status: "online" });
    await app.grant(other, viewer, "owner");
    now += 1; // listed oldest first
    const garage = await app.insertCamera(other, "garage");
    const removed = await app.insertCamera(other, "old");
    await app.db.db.updateTable("cameras").set({ removed_at: now }).where("id", "=", removed).execute();
    await app.insertCamera(await app.insertDevice(), "not-mine");

    const r = await call(app.url, "GET", "/api/cameras", { auth: as(viewer) });
    expect(r.status).toBe(200);
    expect(
      r.body.data.map((c: { id: string; role: string; deviceStatus: string }) => [
        c.id,
        c.role,
        c.deviceStatus,
      ]),
    ).toEqual([
      [cameraId, "viewer", "offline"],
      [garage, "owner", "online"],
    ]);
    expect((await call(app.url, "GET", "/api/cameras", { auth: as(stranger) })).body.data).toEqual([]);
  });

  it("GET: grant holders read it; strangers and unknown ids get the same 404", async () => {
    const got = await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(viewer) });
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({
      id: cameraId,
      deviceId,
      localId: "front-door",
      name: "Front door",
      location: null,
      sourceKind: "test",
      status: "online",
      statusReason: null,
      role: "viewer",
      deviceStatus: "offline",
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    });
    expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(owner) })).body.data.role).toBe(
      "owner",
    );
    const asStranger = await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(stranger) });
    const missing = await call(app.url, "GET", "/api/cameras/doesnotexist", { auth: as(stranger) });
    expect(asStranger.status).toBe(404);
    expect(asStranger.body).toEqual(missing.body);
  });

  it("PUT: the owner renames and relocates; viewers 403, strangers 404", async () => {
    now += 5000;
    const r = await call(app.url, "PUT", `/api/cameras/${cameraId}`, {
      auth: as(owner),
      body: { name: " Porch ", location: "Outside" },
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      name: "Porch",
      location: "Outside",
      updatedAt: new Date(now).toISOString(),
    });
    const cleared = await call(app.url, "PUT", `/api/cameras/${cameraId}`, {
      auth: as(owner),
      body: { location: null },
    });
    expect(cleared.body.data).toMatchObject({ name: "Porch", location: null });

    const byViewer = await call(app.url, "PUT", `/api/cameras/${cameraId}`, {
      auth: as(viewer),
      body: { name: "X" },
    });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error?.code).toBe("E_FORBIDDEN");
    const byStranger = await call(app.url, "PUT", `/api/cameras/${cameraId}`, {
      auth: as(stranger),
      body: { name: "X" },
    });
    expect(byStranger.status).toBe(404);
    const got = await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(viewer) });
    expect(got.body.data.name).toBe("Porch");
    const log = await app.db.db
      .selectFrom("device_access_log")
      .selectAll()
      .where("device_id", "=", deviceId)
      .execute();
    expect(log.map((e) => [e.action, e.user_id, e.camera_id])).toEqual([
      ["camera.update", owner, cameraId],
      ["camera.update", owner, cameraId],
    ]);
  });

  it.each([[{}], [{ name: "" }], [{ name: "x".repeat(65) }], [{ name: "A", other: 1 }], [{ location: 5 }]])(
    "PUT refuses %j (400)",
    async (body) => {
      const r = await call(app.url, "PUT", `/api/cameras/${cameraId}`, { auth: as(owner), body });
      expect(r.status).toBe(400);
      expect(r.body.error?.code).toBe("E_VALIDATION");
    },
  );

  it("DELETE: the owner removes it for everyone; viewers 403, strangers 404; access-logged", async () => {
    expect((await call(app.url, "DELETE", `/api/cameras/${cameraId}`, { auth: as(viewer) })).status).toBe(
      403,
    );
    expect((await call(app.url, "DELETE", `/api/cameras/${cameraId}`, { auth: as(stranger) })).status).toBe(
      404,
    );
    expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(viewer) })).status).toBe(200);

    const r = await call(app.url, "DELETE", `/api/cameras/${cameraId}`, { auth: as(owner) });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ id: cameraId, removed: true });
    for (const user of [owner, viewer]) {
      expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(user) })).status).toBe(404);
      expect((await call(app.url, "GET", "/api/cameras", { auth: as(user) })).body.data).toEqual([]);
    }
    expect((await call(app.url, "DELETE", `/api/cameras/${cameraId}`, { auth: as(owner) })).status).toBe(404);
    const log = await app.db.db
      .selectFrom("device_access_log")
      .selectAll()
      .where("device_id", "=", deviceId)
      .execute();
    expect(log).toEqual([
      expect.objectContaining({
        user_id: owner,
        camera_id: cameraId,
        action: "camera.remove",
        outcome: "ok",
      }),
    ]);
  });

  it("anonymous callers get 401 and device tokens are no user (401) on every camera route", async () => {
    const device = await createTestDevice();
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/cameras"],
      ["GET", `/api/cameras/${cameraId}`],
      ["PUT", `/api/cameras/${cameraId}`, { name: "X" }],
      ["DELETE", `/api/cameras/${cameraId}`],
      ["GET", `/api/cameras/${cameraId}/stats`],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(app.url, method, path, { body })).status, `${method} ${path}`).toBe(401);
      const r = await call(app.url, method, path, { body, auth: await app.deviceAuth(device) });
      expect(r.status, `${method} ${path} with a device token`).toBe(401);
    }
    expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(owner) })).body.data.name).toBe(
      "Front door",
    );
  });

  it("stats: null figures before any telemetry, then the latest sample's own numbers", async () => {
    const before = await call(app.url, "GET", `/api/cameras/${cameraId}/stats`, { auth: as(viewer) });
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      cameraId,
      deviceId,
      deviceStatus: "offline",
      telemetryAt: null,
      camera: null,
      device: null,
    });

    const sample = {
      cpuPercent: 37.5,
      memoryMB: 812,
      temperatureC: 61.2,
      diskFreeMB: 2048,
      diskTotalMB: 30000,
      uptimeS: 86400,
      cameras: [
        { id: "garden", status: "online", fps: 5 },
        { id: "front-door", status: "reconnecting", fps: 2.5, reason: "no frames for 10 s" },
      ],
    };
    const at = now - 3000;
    await app.db.db
      .updateTable("devices")
      .set({ telemetry_json: JSON.stringify(sample), telemetry_at: at, status: "online" })
      .where("id", "=", deviceId)
      .execute();
    const after = await call(app.url, "GET", `/api/cameras/${cameraId}/stats`, { auth: as(owner) });
    expect(after.body.data).toEqual({
      cameraId,
      deviceId,
      deviceStatus: "online",
      telemetryAt: new Date(at).toISOString(),
      camera: { status: "reconnecting", fps: 2.5, reason: "no frames for 10 s" },
      device: {
        cpuPercent: 37.5,
        memoryMB: 812,
        temperatureC: 61.2,
        diskFreeMB: 2048,
        diskTotalMB: 30000,
        uptimeS: 86400,
      },
    });

    // A sample that does not mention this camera (and has no temperature) invents nothing.
    const { temperatureC: _t, ...noTemp } = sample;
    await app.db.db
      .updateTable("devices")
      .set({ telemetry_json: JSON.stringify({ ...noTemp, cameras: [] }) })
      .where("id", "=", deviceId)
      .execute();
    const partial = await call(app.url, "GET", `/api/cameras/${cameraId}/stats`, { auth: as(owner) });
    expect(partial.body.data.camera).toBeNull();
    expect(partial.body.data.device.temperatureC).toBeNull();

    expect(
      (await call(app.url, "GET", `/api/cameras/${cameraId}/stats`, { auth: as(stranger) })).status,
    ).toBe(404);
  });
});
