import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type DevicesApp, startDevicesApp } from "./devices-app.js";

describe.each(TEST_DIALECTS)("grants and the access log on %s", (dialect) => {
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
    stranger = await app.createUser();
    deviceId = await app.insertDevice({ status: "online" });
    await app.grant(deviceId, owner, "owner");
    now += 1;
    viewer = await app.createUser();
    await app.grant(deviceId, viewer, "viewer", owner);
    cameraId = await app.insertCamera(deviceId, "door");
  });

  const as = (userId: string) => app.bearer(userId);
  const revoke = (actor: string, userId: string) =>
    call(app.url, "DELETE", `/api/devices/${deviceId}/grants/${userId}`, { auth: as(actor) });
  const logOf = () =>
    app.db.db.selectFrom("device_access_log").selectAll().where("device_id", "=", deviceId).execute();

  it("the owner lists the grants (owner first); viewers 403, strangers 404", async () => {
    const r = await call(app.url, "GET", `/api/devices/${deviceId}/grants`, { auth: as(owner) });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([
      {
        userId: owner,
        name: `User ${owner}`,
        email: `${owner.toLowerCase()}@example.test`,
        role: "owner",
        grantedBy: null,
        createdAt: new Date(now - 1).toISOString(),
      },
      {
        userId: viewer,
        name: `User ${viewer}`,
        email: `${viewer.toLowerCase()}@example.test`,
        role: "viewer",
        grantedBy: owner,
        createdAt: new Date(now).toISOString(),
      },
    ]);
    expect((await call(app.url, "GET", `/api/devices/${deviceId}/grants`, { auth: as(viewer) })).status).toBe(
      403,
    );
    expect(
      (await call(app.url, "GET", `/api/devices/${deviceId}/grants`, { auth: as(stranger) })).status,
    ).toBe(404);
  });

  it("revoking a viewer: their access ends at once, the hub and the agent are told, it is logged", async () => {
    expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(viewer) })).status).toBe(200);
    const r = await revoke(owner, viewer);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ deviceId, userId: viewer, revoked: true });
    // By the time the owner has the answer, the hub was asked to end the viewer's sessions.
    expect(app.push.revocations).toContainEqual({ userId: viewer, deviceId });
    expect(app.push.events).toContainEqual({
      userIds: [owner],
      event: { type: "grant.revoked", deviceId, userId: viewer, at: now },
    });
    expect(app.commander.commandsTo(deviceId)).toEqual([
      { name: "grants.revoked", args: { userId: viewer } },
    ]);

    expect((await call(app.url, "GET", `/api/cameras/${cameraId}`, { auth: as(viewer) })).status).toBe(404);
    expect((await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(viewer) })).status).toBe(404);
    expect((await call(app.url, "GET", "/api/cameras", { auth: as(viewer) })).body.data).toEqual([]);
    expect(await logOf()).toEqual([
      expect.objectContaining({
        user_id: owner,
        action: "grant.revoke",
        outcome: "ok",
        detail: `viewer ${viewer}`,
      }),
    ]);
    // Gone is gone: a second revocation finds nothing.
    expect((await revoke(owner, viewer)).status).toBe(404);
  });

  it.each(["offline", "timeout"] as const)("an %s agent does not fail the revocation", async (behaviour) => {
    app.commander.behave(deviceId, behaviour);
    const r = await revoke(owner, viewer);
    expect(r.status).toBe(200);
    expect(
      await app.db.db
        .selectFrom("device_grants")
        .select("user_id")
        .where("device_id", "=", deviceId)
        .execute(),
    ).toEqual([{ user_id: owner }]);
    await expect
      .poll(
        () => app.logs.some((l) => l.msg === "agent not told: command failed" && l.deviceId === deviceId),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
  });

  it("a viewer leaves by removing their own grant", async () => {
    const r = await revoke(viewer, viewer);
    expect(r.status).toBe(200);
    expect(app.push.revocations).toContainEqual({ userId: viewer, deviceId });
    expect(app.commander.commandsTo(deviceId)).toEqual([
      { name: "grants.revoked", args: { userId: viewer } },
    ]);
    expect((await call(app.url, "GET", `/api/devices/${deviceId}`, { auth: as(viewer) })).status).toBe(404);
    expect(await logOf()).toEqual([
      expect.objectContaining({ user_id: viewer, action: "grant.leave", outcome: "ok" }),
    ]);
  });

  it("the owner cannot revoke themselves (409); a viewer cannot revoke others (403); strangers 404", async () => {
    const self = await revoke(owner, owner);
    expect(self.status).toBe(409);
    expect(self.body.error?.code).toBe("E_CONFLICT");
    expect(self.body.error?.message).toContain("transfer or delete the device instead");

    const viewer2 = await app.createUser();
    await app.grant(deviceId, viewer2, "viewer", owner);
    expect((await revoke(viewer, viewer2)).status).toBe(403);
    expect((await revoke(viewer, owner)).status).toBe(403);
    expect((await revoke(stranger, viewer)).status).toBe(404);
    expect((await revoke(stranger, stranger)).status).toBe(404);
    expect((await revoke(owner, stranger)).status).toBe(404);
    expect((await call(app.url, "DELETE", `/api/devices/${deviceId}/grants/${viewer}`)).status).toBe(401);

    const grants = await app.db.db
      .selectFrom("device_grants")
      .select("user_id")
      .where("device_id", "=", deviceId)
      .execute();
    expect(grants.map((g) => g.user_id).sort()).toEqual([owner, viewer, viewer2].sort());
    expect(app.push.revocations.filter((x) => x.deviceId === deviceId)).toEqual([]);
    expect(app.commander.commandsTo(deviceId)).toEqual([]);
  });

  it("the access log pages newest first with names; viewers 403, strangers 404", async () => {
    const gone = "deleted-user-id";
    const record = (
      userId: string | null,
      action: string,
      extra: { cameraId?: string; detail?: string } = {},
    ) => app.rendezvous.accessLog.record({ deviceId, userId, action, outcome: "ok", ...extra });
    const start = now;
    await record(owner, "live.start", { cameraId });
    now += 1;
    await record(viewer, "command.snapshot", { cameraId, detail: "door" });
    await record(null, "device.report");
    now += 1;
    await record(gone, "live.stop");
    await record(viewer, "live.start");
    // Another device's entries never show.
    await app.rendezvous.accessLog.record({ deviceId: "other", userId: owner, action: "x", outcome: "ok" });

    const seen: { action: string; userName: string | null }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const r = await call(app.url, "GET", `/api/devices/${deviceId}/access-log${qs}`, { auth: as(owner) });
      expect(r.status).toBe(200);
      expect(r.body.data.entries.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data.entries);
      cursor = r.body.data.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      expect.objectContaining({ action: "live.start", userId: viewer, userName: `User ${viewer}` }),
      expect.objectContaining({ action: "live.stop", userId: gone, userName: null }),
      expect.objectContaining({ action: "device.report", userId: null, userName: null }),
      {
        id: expect.any(String),
        at: new Date(start + 1).toISOString(),
        userId: viewer,
        userName: `User ${viewer}`,
        cameraId,
        action: "command.snapshot",
        outcome: "ok",
        detail: "door",
      },
      expect.objectContaining({
        action: "live.start",
        userId: owner,
        cameraId,
        at: new Date(start).toISOString(),
      }),
    ]);

    const all = await call(app.url, "GET", `/api/devices/${deviceId}/access-log`, { auth: as(owner) });
    expect(all.body.data.entries).toHaveLength(5);
    expect(all.body.data.nextCursor).toBeNull();
    expect(
      (await call(app.url, "GET", `/api/devices/${deviceId}/access-log`, { auth: as(viewer) })).status,
    ).toBe(403);
    expect(
      (await call(app.url, "GET", `/api/devices/${deviceId}/access-log`, { auth: as(stranger) })).status,
    ).toBe(404);
    for (const bad of ["?limit=0", "?limit=201", "?cursor=nope", "?other=1"]) {
      const r = await call(app.url, "GET", `/api/devices/${deviceId}/access-log${bad}`, { auth: as(owner) });
      expect(r.status, bad).toBe(400);
    }
  });
});
