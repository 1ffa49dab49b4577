import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { MIN, type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

describe.each(TEST_DIALECTS)("POST /api/devices/:id/invites on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database, { limits: { inviteUser: { limit: 2, windowMs: 60 * MIN } } });
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  const invite = (deviceId: string, userId: string, body?: unknown) =>
    call(p.app.url, "POST", `/api/devices/${deviceId}/invites`, { auth: p.app.bearer(userId), body });

  /** A device with an owner and a viewer, paired through its QR. */
  const pairedDevice = async () => {
    const device = await p.newDevice();
    const [owner, viewer] = [await p.app.createUser(), await p.app.createUser()];
    const first = await p.generate(device);
    await p.establish(owner, { pairingId: first.pairingId, pin: first.pin });
    const second = await p.generate(device);
    await p.establish(viewer, { pairingId: second.pairingId, pin: second.pin });
    return { device, owner, viewer };
  };

  it("lets the owner invite; a viewer gets 403 and a stranger 404, before the body is read", async () => {
    p.clock.now = T0;
    const { device, owner, viewer } = await pairedDevice();
    const stranger = await p.app.createUser();
    const byStranger = await invite(device.id, stranger, { bogus: true });
    expect(byStranger.status).toBe(404);
    expect(byStranger.body.error?.code).toBe("E_NOT_FOUND");
    expect((await invite("C".repeat(43), stranger)).status).toBe(404);
    const byViewer = await invite(device.id, viewer, { bogus: true });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error?.code).toBe("E_FORBIDDEN");
    expect((await invite(device.id, owner, { bogus: true })).status).toBe(400);
    expect((await call(p.app.url, "POST", `/api/devices/${device.id}/invites`)).status).toBe(401);

    const r = await invite(device.id, owner);
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({ expiresAt: new Date(p.clock.now + 10 * MIN).toISOString() });
    const row = await p.app.db.db
      .selectFrom("pairing_sessions")
      .selectAll()
      .where("id", "=", r.body.data.pairingId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ device_id: device.id, origin: "invite", invited_by: owner, state: "open" });
  });

  it("an invitation makes a viewer, leaves the device's own QR open, and notifies the owner", async () => {
    p.clock.now = T0 + 100 * MIN;
    const { device, owner } = await pairedDevice();
    const qr = await p.generate(device);
    const inv = (await invite(device.id, owner)).body.data;
    p.pushed.length = 0;
    const guest = await p.app.createUser();
    const r = await p.establish(guest, { pairingId: inv.pairingId, pin: inv.pin });
    expect(r.body.data.role).toBe("viewer");
    const grant = await p.app.db.db
      .selectFrom("device_grants")
      .select(["role", "granted_by"])
      .where("device_id", "=", device.id)
      .where("user_id", "=", guest)
      .executeTakeFirstOrThrow();
    expect(grant).toEqual({ role: "viewer", granted_by: owner });
    expect(p.pushed.map((x) => x.userIds)).toEqual([[owner, guest]]);
    const state = await p.app.db.db
      .selectFrom("pairing_sessions")
      .select("state")
      .where("id", "=", qr.pairingId)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe("open");
  });

  it("rate-limits invitations per user", async () => {
    p.clock.now = T0 + 200 * MIN;
    const { device, owner } = await pairedDevice();
    expect((await invite(device.id, owner)).status).toBe(201);
    expect((await invite(device.id, owner)).status).toBe(201);
    const r = await invite(device.id, owner);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBe(60 * 60);
  });
});
