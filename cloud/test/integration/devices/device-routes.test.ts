import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { type DevicesApp, startDevicesApp } from "./devices-app.js";

describe.each(TEST_DIALECTS)("device routes on %s", (dialect) => {
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
    deviceId = await app.insertDevice({ name: "Living room Pi", status: "online" });
    await app.grant(deviceId, owner, "owner");
    await app.grant(deviceId, viewer, "viewer", owner);
    cameraId = await app.insertCamera(deviceId, "sofa");
  });

  const as = (userId: string) => app.bearer(userId);
  const pairingSession = async (id: string, state: "open" | "claimed") => {
    await app.db.db
      .insertInto("pairing_sessions")
      .values({
        id,
        device_id: deviceId,
        pin_hmac: `hmac-${id}`,
        origin: "device",
        invited_by: null,
        state,
        failed_attempts: 0,
        created_at: now,
        expires_at: now + 600_000,
        claimed_by: null,
        claimed_at: null,
        claimed_role: null,
      })
      .execute();
  };

  it("lists the caller's devices with role, presence and visible cameras", async () => {
    const pairedAt = now;
    now += 1; // listed in the order the grants were made
    const second = await app.insertDevice({ name: "Garage" });
    await app.grant(second, viewer, "owner");
    const r = await call(app.url, "GET", "/api/devices", { auth: as(viewer) });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([
      {
        id: deviceId,
        name: "Living room Pi",
        role: "viewer",
        status: "online",
        statusAt: null,
        lastSeenAt: null,
        agentVersion: null,
        createdAt: new Date(pairedAt).toISOString(),
        cameras: [
          expect.objectContaining({ id: cameraId, localId: "sofa", role: "viewer", deviceStatus: "online" }),
        ],
      },
      expect.objectContaining({ id: second, name: "Garage", role: "owner", status: "unknown", cameras: [] }),
    ]);
    expect((await call(app.url, "GET", "/api/devices", { auth: as(stranger) })).body.data).toEqual([]);
  });

  it("GET /api/devices/:id: grant holders only; strangers and unknown ids get the same 404", async () => {
    const got = await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(owner) });
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({
      id: deviceId,
      role: "owner",
      cameras: [{ id: cameraId, role: "owner" }],
    });
    const asStranger = await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(stranger) });
    const missing = await call(app.url, "GET", "/api/devices/nope", { auth: as(stranger) });
    expect(asStranger.status).toBe(404);
    expect(asStranger.body).toEqual(missing.body);
    expect((await call(app.url, "GET", `/api/devices/${deviceId}`)).status).toBe(401);
    const device = await createTestDevice();
    const asDevice = await call(app.url, "GET", `/api/devices/${deviceId}`, {
      auth: await app.deviceAuth(device),
    });
    expect(asDevice.status).toBe(401);
  });

  it("PATCH renames (owner); viewers 403, strangers 404; bad names 400", async () => {
    const r = await call(app.url, "PATCH", `/api/devices/${deviceId}`, {
      auth: as(owner),
      body: { name: " Hall " },
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ id: deviceId, name: "Hall", role: "owner" });
    expect(
      (await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(viewer) })).body.data.name,
    ).toBe("Hall");
    const byViewer = await call(app.url, "PATCH", `/api/devices/${deviceId}`, {
      auth: as(viewer),
      body: { name: "X" },
    });
    expect(byViewer.status).toBe(403);
    const byStranger = await call(app.url, "PATCH", `/api/devices/${deviceId}`, {
      auth: as(stranger),
      body: { name: "X" },
    });
    expect(byStranger.status).toBe(404);
    for (const body of [{}, { name: "" }, { name: "x".repeat(65) }, { name: "A", status: "online" }]) {
      expect(
        (await call(app.url, "PATCH", `/api/devices/${deviceId}`, { auth: as(owner), body })).status,
      ).toBe(400);
    }
    expect((await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(owner) })).body.data.name).toBe(
      "Hall",
    );
  });

  it("DELETE unpairs: grants gone, open sessions cancelled, cameras kept; holders told, viewers revoked", async () => {
    const viewer2 = await app.createUser();
    await app.grant(deviceId, viewer2, "viewer", owner);
    await pairingSession(`open-${now}`, "open");
    await pairingSession(`claimed-${now}`, "claimed");
    // Offline: telling the agent fails, which must not fail the owner's request.
    app.commander.behave(deviceId, "offline");

    expect((await call(app.url, "DELETE", `/api/devices/${deviceId}`, { auth: as(viewer) })).status).toBe(
      403,
    );
    expect((await call(app.url, "DELETE", `/api/devices/${deviceId}`, { auth: as(stranger) })).status).toBe(
      404,
    );
    const pushesBefore = app.push.events.length;
    const revocationsBefore = app.push.revocations.length;

    const r = await call(app.url, "DELETE", `/api/devices/${deviceId}`, { auth: as(owner) });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ id: deviceId, removed: true, revokedGrants: 3 });

    const grants = await app.db.db
      .selectFrom("device_grants")
      .selectAll()
      .where("device_id", "=", deviceId)
      .execute();
    expect(grants).toEqual([]);
    const sessions = await app.db.db
      .selectFrom("pairing_sessions")
      .select(["id", "state"])
      .where("device_id", "=", deviceId)
      .orderBy("id")
      .execute();
    expect(sessions).toEqual([
      { id: `claimed-${now}`, state: "claimed" },
      { id: `open-${now}`, state: "cancelled" },
    ]);
    const cameras = await app.db.db
      .selectFrom("cameras")
      .select(["id", "removed_at"])
      .where("device_id", "=", deviceId)
      .execute();
    expect(cameras).toEqual([{ id: cameraId, removed_at: null }]);

    const pushed = app.push.events.slice(pushesBefore);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]?.event).toEqual({ type: "device.removed", deviceId, at: now });
    expect([...(pushed[0]?.userIds ?? [])].sort()).toEqual([owner, viewer, viewer2].sort());
    expect(
      app.push.revocations
        .slice(revocationsBefore)
        .map((x) => x.userId)
        .sort(),
    ).toEqual([viewer, viewer2].sort());

    for (const user of [owner, viewer, viewer2]) {
      expect((await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(user) })).status).toBe(404);
      expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(user) })).status).toBe(404);
      expect((await call(app.url, "GET", "/api/devices", { auth: as(user) })).body.data).toEqual([]);
    }
    const log = await app.db.db
      .selectFrom("device_access_log")
      .selectAll()
      .where("device_id", "=", deviceId)
      .execute();
    expect(log).toEqual([
      expect.objectContaining({ user_id: owner, action: "device.unpair", outcome: "ok" }),
    ]);
    // A warning names the command, never a token.
    expect(app.logs.some((l) => l.msg === "agent not told: command failed" && l.deviceId === deviceId)).toBe(
      true,
    );

    // Paired again later: the kept cameras come back with their ids.
    await app.grant(deviceId, stranger, "owner");
    const again = await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(stranger) });
    expect(again.body.data.cameras.map((c: { id: string }) => c.id)).toEqual([cameraId]);
  });

  it("documents every device and camera route in the OpenAPI document", async () => {
    const res = await fetch(`${app.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { "x-access": string }>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => /^\/api\/(cameras|devices)/.test(path))
      .flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => `${m} ${path} ${op["x-access"]}`));
    expect(routes.sort()).toEqual(
      [
        "get /api/cameras user",
        "post /api/cameras user-or-device",
        "get /api/cameras/{id} user",
        "put /api/cameras/{id} user",
        "delete /api/cameras/{id} user",
        "get /api/cameras/{id}/stats user",
        "get /api/devices user",
        "get /api/devices/{id} user",
        "patch /api/devices/{id} user",
        "delete /api/devices/{id} user",
        "get /api/devices/{id}/grants user",
        "delete /api/devices/{id}/grants/{userId} user",
        "get /api/devices/{id}/access-log user",
      ].sort(),
    );
  });

  it("tells an online agent to drop every former holder's sessions when unpaired", async () => {
    const r = await call(app.url, "DELETE", `/api/devices/${deviceId}`, { auth: as(owner) });
    expect(r.status).toBe(200);
    expect(
      app.commander
        .commandsTo(deviceId)
        .map((c) => (c.name === "grants.revoked" ? c.args.userId : c.name))
        .sort(),
    ).toEqual([owner, viewer].sort());
  });
});
