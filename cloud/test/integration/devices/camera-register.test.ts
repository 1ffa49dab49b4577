import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { type DevicesApp, startDevicesApp } from "./devices-app.js";

describe.each(TEST_DIALECTS)("a device registers its cameras on %s", (dialect) => {
  let database: TestDatabase;
  let app: DevicesApp;
  let now = 1_800_000_000_000;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    app = await startDevicesApp(database, () => now);
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  const register = async (device: TestDevice, cameras: unknown[]) =>
    call(app.url, "POST", "/api/cameras", { auth: await app.deviceAuth(device), body: { cameras } });

  const rowsOf = (deviceId: string) =>
    app.db.db
      .selectFrom("cameras")
      .select(["id", "local_id", "name", "location", "source_kind", "removed_at"])
      .where("device_id", "=", deviceId)
      .orderBy("local_id")
      .execute();

  it("upserts by local id: fresh cloud ids once, then the same ids; source kinds follow, names stay the cloud's", async () => {
    const device = await createTestDevice();
    const first = await register(device, [
      { localId: "front-door", name: "Front door", location: "Porch", sourceKind: "rtsp" },
      { localId: "garden", name: "Garden" },
    ]);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      { id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), localId: "front-door", removed: false },
      { id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), localId: "garden", removed: false },
    ]);
    const [door, garden] = first.body.data as { id: string }[];
    expect(door?.id).not.toBe(garden?.id);

    now += 1000;
    const again = await register(device, [
      { localId: "garden", name: "Back garden", sourceKind: "v4l2", location: "ignored on update" },
      { localId: "front-door", name: "Front door" },
      { localId: "garage", name: "Garage", sourceKind: "test" },
    ]);
    expect(again.status).toBe(200);
    expect(again.body.data.slice(0, 2)).toEqual([
      { id: garden?.id, localId: "garden", removed: false },
      { id: door?.id, localId: "front-door", removed: false },
    ]);
    expect(await rowsOf(device.id)).toEqual([
      {
        id: door?.id,
        local_id: "front-door",
        name: "Front door",
        location: "Porch",
        source_kind: "rtsp",
        removed_at: null,
      },
      {
        id: expect.any(String),
        local_id: "garage",
        name: "Garage",
        location: null,
        source_kind: "test",
        removed_at: null,
      },
      {
        id: garden?.id,
        local_id: "garden",
        // The first registration named it; renames are the owner's (PUT), never the agent's.
        name: "Garden",
        location: null,
        source_kind: "v4l2",
        removed_at: null,
      },
    ]);
  });

  it("a camera the owner removed stays removed when the agent registers it again", async () => {
    const device = await createTestDevice();
    const [cam] = (await register(device, [{ localId: "hall", name: "Hall" }])).body.data as { id: string }[];
    const owner = await app.createUser();
    await app.grant(device.id, owner, "owner");
    const del = await call(app.url, "DELETE", `/api/cameras/${cam?.id}`, { auth: app.bearer(owner) });
    expect(del.status).toBe(200);

    const again = await register(device, [{ localId: "hall", name: "Hall renamed" }]);
    expect(again.body.data).toEqual([{ id: cam?.id, localId: "hall", removed: true }]);
    const list = await call(app.url, "GET", "/api/cameras", { auth: app.bearer(owner) });
    expect(list.body.data).toEqual([]);
    expect((await call(app.url, "GET", `/api/cameras/${cam?.id}`, { auth: app.bearer(owner) })).status).toBe(
      404,
    );
  });

  it("another device cannot touch these rows: the same local id is another camera", async () => {
    const a = await createTestDevice();
    const b = await createTestDevice();
    const [camA] = (await register(a, [{ localId: "door", name: "A's door" }])).body.data as { id: string }[];
    const [camB] = (await register(b, [{ localId: "door", name: "B's door" }])).body.data as { id: string }[];
    expect(camB?.id).not.toBe(camA?.id);
    expect(await rowsOf(a.id)).toEqual([
      {
        id: camA?.id,
        local_id: "door",
        name: "A's door",
        location: null,
        source_kind: null,
        removed_at: null,
      },
    ]);
  });

  it("an empty list registers nothing", async () => {
    const device = await createTestDevice();
    const r = await register(device, []);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([]);
  });

  it.each([
    [
      "duplicate local ids",
      {
        cameras: [
          { localId: "a", name: "A" },
          { localId: "a", name: "B" },
        ],
      },
    ],
    ["more than 32", { cameras: Array.from({ length: 33 }, (_, i) => ({ localId: `c${i}`, name: "C" })) }],
    ["a local id that is not a slug", { cameras: [{ localId: "Front Door", name: "A" }] }],
    ["an empty name", { cameras: [{ localId: "a", name: " " }] }],
    ["an unknown member", { cameras: [{ localId: "a", name: "A", secret: 1 }] }],
    ["no list", {}],
  ])("refuses %s (400)", async (_label, body) => {
    const device = await createTestDevice();
    const r = await call(app.url, "POST", "/api/cameras", { auth: await app.deviceAuth(device), body });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("E_VALIDATION");
    expect(await rowsOf(device.id)).toEqual([]);
  });

  it("a device cannot use the owner's shape, and a user cannot register cameras", async () => {
    const device = await createTestDevice();
    const asOwner = await call(app.url, "POST", "/api/cameras", {
      auth: await app.deviceAuth(device),
      body: { deviceId: device.id, camera: { id: "x", name: "X", source: { type: "test" } } },
    });
    expect(asOwner.status).toBe(400);
    expect(app.commander.commandsTo(device.id)).toEqual([]);

    const user = await app.createUser();
    const asDevice = await call(app.url, "POST", "/api/cameras", {
      auth: app.bearer(user),
      body: { cameras: [{ localId: "a", name: "A" }] },
    });
    expect(asDevice.status).toBe(400);
  });

  it("refuses anonymous callers and forged device tokens (401)", async () => {
    const body = { cameras: [{ localId: "a", name: "A" }] };
    expect((await call(app.url, "POST", "/api/cameras", { body })).status).toBe(401);
    const device = await createTestDevice();
    const expired = await device.token({ now: Math.floor(now / 1000) - 3600 });
    const r = await call(app.url, "POST", "/api/cameras", { auth: `Bearer ${expired}`, body });
    expect(r.status).toBe(401);
  });
});
