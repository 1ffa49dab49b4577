import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type DevicesApp, startDevicesApp } from "./devices-app.js";

const PASSWORD = "s3cret-camera-pass";
const rtspCamera = {
  id: "porch",
  name: "Porch",
  source: { type: "rtsp", url: `rtsp://admin:${PASSWORD}@192.168.1.20/stream1` },
};

describe.each(TEST_DIALECTS)("an owner adds a camera on %s", (dialect) => {
  let database: TestDatabase;
  let app: DevicesApp;
  let now = 1_800_000_000_000;
  let owner: string;
  let viewer: string;
  let stranger: string;
  let deviceId: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startDevicesApp(database, () => now);
    stranger = await app.createUser();
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });
  beforeEach(async () => {
    now += 1000;
    owner = await app.createUser();
    viewer = await app.createUser();
    deviceId = await app.insertDevice({ status: "online" });
    await app.grant(deviceId, owner, "owner");
    await app.grant(deviceId, viewer, "viewer", owner);
  });

  const add = (userId: string, body: unknown) =>
    call(app.url, "POST", "/api/cameras", { auth: app.bearer(userId), body });
  const accessLog = () =>
    app.db.db.selectFrom("device_access_log").selectAll().where("device_id", "=", deviceId).execute();

  it("relays camera.add to the agent, then stores the camera and answers its view (201)", async () => {
    const r = await add(owner, { deviceId, camera: rtspCamera });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      deviceId,
      localId: "porch",
      name: "Porch",
      location: null,
      sourceKind: "rtsp",
      status: "unknown",
      statusReason: null,
      role: "owner",
      deviceStatus: "online",
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    });
    // The agent got the camera as its own schema reads it (defaults applied).
    const [command] = app.commander.commandsTo(deviceId);
    expect(command).toMatchObject({
      name: "camera.add",
      args: {
        camera: { ...rtspCamera, enabled: true, motion: { sensitivity: 60 }, recording: { maxSeconds: 60 } },
      },
    });
    const viewerList = await call(app.url, "GET", "/api/cameras", { auth: app.bearer(viewer) });
    expect(viewerList.body.data).toEqual([{ ...r.body.data, role: "viewer" }]);

    const log = await accessLog();
    expect(log).toEqual([
      expect.objectContaining({
        user_id: owner,
        camera_id: r.body.data.id,
        action: "camera.add",
        outcome: "ok",
      }),
    ]);
    // The source's credentials are in neither the access log nor the server log.
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
    expect(JSON.stringify(app.logs)).not.toContain(PASSWORD);
  });

  it("an invalid source is a 400 with issues, and nothing is relayed", async () => {
    const r = await add(owner, {
      deviceId,
      camera: { ...rtspCamera, source: { type: "rtsp", url: "http://x" } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("E_VALIDATION");
    expect(r.body.error?.details).toEqual({
      issues: [{ path: "camera.source.url", message: expect.any(String) }],
    });
    for (const camera of [undefined, "porch", { ...rtspCamera, extra: 1 }, { ...rtspCamera, id: "Porch" }]) {
      expect((await add(owner, { deviceId, camera })).status).toBe(400);
    }
    expect(app.commander.commandsTo(deviceId)).toEqual([]);
    expect(await accessLog()).toEqual([]);
  });

  it("a viewer gets 403 and a stranger 404 — before the camera is validated", async () => {
    for (const camera of [rtspCamera, { bogus: true }]) {
      const asViewer = await add(viewer, { deviceId, camera });
      expect(asViewer.status).toBe(403);
      expect(asViewer.body.error?.code).toBe("E_FORBIDDEN");
      const asStranger = await add(stranger, { deviceId, camera });
      expect(asStranger.status).toBe(404);
      expect(asStranger.body.error?.code).toBe("E_NOT_FOUND");
    }
    const unknown = await add(owner, { deviceId: "no-such-device", camera: rtspCamera });
    expect(unknown.status).toBe(404);
    expect(app.commander.commandsTo(deviceId)).toEqual([]);
  });

  it("an offline agent is a 503 E_DEVICE_OFFLINE and no camera is stored; the attempt is logged", async () => {
    app.commander.behave(deviceId, "offline");
    const r = await add(owner, { deviceId, camera: rtspCamera });
    expect(r.status).toBe(503);
    expect(r.body.error?.code).toBe("E_DEVICE_OFFLINE");
    const rows = await app.db.db
      .selectFrom("cameras")
      .selectAll()
      .where("device_id", "=", deviceId)
      .execute();
    expect(rows).toEqual([]);
    expect(await accessLog()).toEqual([
      expect.objectContaining({ action: "camera.add", outcome: "E_DEVICE_OFFLINE", camera_id: null }),
    ]);
  });

  it("a timeout (504) and the agent's own refusal (409) reach the owner as they are", async () => {
    app.commander.behave(deviceId, "timeout");
    const timedOut = await add(owner, { deviceId, camera: rtspCamera });
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.error?.code).toBe("E_TIMEOUT");
    app.commander.behave(deviceId, { code: "E_CONFLICT", message: "camera porch already exists" });
    const refused = await add(owner, { deviceId, camera: rtspCamera });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toBe("camera porch already exists");
    const list = await call(app.url, "GET", "/api/cameras", { auth: app.bearer(owner) });
    expect(list.body.data).toEqual([]);
  });

  it("adding a camera the owner once removed brings the same camera back", async () => {
    const first = await add(owner, { deviceId, camera: rtspCamera });
    const del = await call(app.url, "DELETE", `/api/cameras/${first.body.data.id}`, {
      auth: app.bearer(owner),
    });
    expect(del.status).toBe(200);
    now += 1000;
    const again = await add(owner, {
      deviceId,
      camera: { ...rtspCamera, name: "Porch 2", source: { type: "test" } },
    });
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ id: first.body.data.id, name: "Porch 2", sourceKind: "test" });
    const got = await call(app.url, "GET", `/api/cameras/${first.body.data.id}`, {
      auth: app.bearer(viewer),
    });
    expect(got.status).toBe(200);
  });
});
