import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

describe.each(TEST_DIALECTS)("GET /api/connection/active on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database);
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  const active = (userId: string) =>
    call(p.app.url, "GET", "/api/connection/active", { auth: p.app.bearer(userId) });

  it("lists the caller's devices with role, presence, cameras; watchers in full for the owner only", async () => {
    p.clock.now = T0;
    const device = await p.newDevice();
    const [owner, viewer, stranger] = [
      await p.app.createUser(),
      await p.app.createUser(),
      await p.app.createUser(),
    ];
    const first = await p.generate(device);
    await p.establish(owner, { pairingId: first.pairingId, pin: first.pin });
    const second = await p.generate(device);
    await p.establish(viewer, { pairingId: second.pairingId, pin: second.pin });
    const cam = await p.addCamera(device.id, "Hall", { status: "reconnecting" });
    await p.addCamera(device.id, "Removed", { removed: true });
    await p.app.db.db
      .updateTable("devices")
      .set({ status: "online", status_at: T0 + 5, name: "Living room" })
      .where("id", "=", device.id)
      .execute();
    p.watchers.set(device.id, [
      { userId: owner, name: "Owner" },
      { userId: viewer, name: "Viewer" },
    ]);

    const entry = {
      deviceId: device.id,
      deviceName: "Living room",
      status: "online",
      statusAt: new Date(T0 + 5).toISOString(),
      cameras: [{ id: cam, name: "Hall", status: "reconnecting" }],
    };
    const asOwner = await active(owner);
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.data).toEqual([
      {
        ...entry,
        role: "owner",
        watching: [
          { userId: owner, name: "Owner" },
          { userId: viewer, name: "Viewer" },
        ],
      },
    ]);
    expect((await active(viewer)).body.data).toEqual([
      { ...entry, role: "viewer", watching: [{ userId: viewer, name: "Viewer" }] },
    ]);
    expect((await active(stranger)).body.data).toEqual([]);
    expect((await call(p.app.url, "GET", "/api/connection/active")).status).toBe(401);
  });

  it("shows a device never seen online as unknown, with no status time", async () => {
    p.clock.now = T0 + 1_000_000;
    const device = await p.newDevice();
    const user = await p.app.createUser();
    const s = await p.generate(device);
    await p.establish(user, { pairingId: s.pairingId, pin: s.pin });
    expect((await active(user)).body.data).toEqual([
      {
        deviceId: device.id,
        deviceName: `device-${device.id.slice(0, 8)}`,
        role: "owner",
        status: "unknown",
        statusAt: null,
        cameras: [],
        watching: [],
      },
    ]);
  });

  it("documents every pairing route with its access rule in the OpenAPI document", async () => {
    const res = await fetch(`${p.app.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { "x-access": string }>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => /^\/api\/(qr|connection)\/|\/invites$/.test(path))
      .flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => `${m} ${path} ${op["x-access"]}`));
    expect(routes.sort()).toEqual(
      [
        "post /api/qr/generate device",
        "post /api/qr/validate user",
        "get /api/qr/{code}/info user-or-device",
        "post /api/connection/establish user",
        "get /api/connection/active user",
        "post /api/devices/{id}/invites user",
      ].sort(),
    );
  });
});
