import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { MIN, type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

describe.each(TEST_DIALECTS)("GET /api/qr/:code/info on %s", (dialect) => {
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

  const info = (code: string, auth?: string) => call(p.app.url, "GET", `/api/qr/${code}/info`, { auth });

  it("shows a signed-in user, the issuing device and nobody else what an open session pairs", async () => {
    p.clock.now = T0;
    const device = await p.newDevice();
    const s = await p.generate(device);
    const cam = await p.addCamera(device.id, "Garden");
    await p.addCamera(device.id, "Gone", { removed: true });
    const expected = {
      pairingId: s.pairingId,
      state: "open",
      expiresAt: s.expiresAt,
      device: { id: device.id, name: `device-${device.id.slice(0, 8)}` },
      cameras: [{ id: cam, name: "Garden" }],
      claimedRole: null,
    };
    const user = await p.app.createUser();
    const asUser = await info(s.pairingId, p.app.bearer(user));
    expect(asUser.status).toBe(200);
    expect(asUser.body.data).toEqual(expected);
    const asDevice = await info(s.pairingId, await p.deviceAuth(device));
    expect(asDevice.body.data).toEqual(expected);

    const other = await p.newDevice();
    const asOther = await info(s.pairingId, await p.deviceAuth(other));
    expect(asOther.status).toBe(404);
    expect(asOther.body.error?.code).toBe("E_NOT_FOUND");
    expect((await info(s.pairingId)).status).toBe(401);
    const unknown = await info("B".repeat(43), p.app.bearer(user));
    expect(unknown.status).toBe(404);
    expect((await info("not-an-id", p.app.bearer(user))).status).toBe(400);
    // Info needs no PIN and is not a try.
    const row = await p.app.db.db
      .selectFrom("pairing_sessions")
      .select(["state", "failed_attempts"])
      .where("id", "=", s.pairingId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "open", failed_attempts: 0 });
  });

  it("after the claim: users get E_GONE, the issuing device sees the state and the claimer's role", async () => {
    p.clock.now = T0 + 100 * MIN;
    const device = await p.newDevice();
    const s = await p.generate(device);
    const [claimer, late] = [await p.app.createUser(), await p.app.createUser()];
    await p.establish(claimer, { pairingId: s.pairingId, pin: s.pin });
    const asUser = await info(s.pairingId, p.app.bearer(late));
    expect(asUser.status).toBe(410);
    expect(asUser.body.error?.code).toBe("E_GONE");
    const asDevice = await info(s.pairingId, await p.deviceAuth(device));
    expect(asDevice.status).toBe(200);
    expect(asDevice.body.data).toMatchObject({ state: "claimed", claimedRole: "owner" });

    // A second session claimed by someone else: the device learns it made a viewer.
    const t = await p.generate(device);
    await p.establish(late, { pairingId: t.pairingId, pin: t.pin });
    const second = await info(t.pairingId, await p.deviceAuth(device));
    expect(second.body.data).toMatchObject({ state: "claimed", claimedRole: "viewer" });
  });

  it("reports an expired session as expired to its device, E_GONE to users", async () => {
    p.clock.now = T0 + 200 * MIN;
    const device = await p.newDevice();
    const s = await p.generate(device);
    p.clock.now += 10 * MIN;
    const user = await p.app.createUser();
    expect((await info(s.pairingId, p.app.bearer(user))).status).toBe(410);
    const asDevice = await info(s.pairingId, await p.deviceAuth(device));
    expect(asDevice.body.data).toMatchObject({ state: "expired", claimedRole: null });
    // A newer QR cancels this one: the device sees that too.
    const next = await p.generate(device);
    expect((await info(next.pairingId, await p.deviceAuth(device))).body.data.state).toBe("open");
    await p.generate(device);
    expect((await info(next.pairingId, await p.deviceAuth(device))).body.data.state).toBe("cancelled");
  });

  it("validate answers the same info as the user's info call", async () => {
    p.clock.now = T0 + 300 * MIN;
    const device = await p.newDevice();
    const s = await p.generate(device);
    const user = await p.app.createUser();
    const viaInfo = await info(s.pairingId, p.app.bearer(user));
    const viaQr = await p.validate(user, { pairingId: s.pairingId, pin: s.pin });
    const viaPin = await p.validate(user, { pin: s.pin });
    expect(viaQr.body.data).toEqual(viaInfo.body.data);
    expect(viaPin.body.data).toEqual(viaInfo.body.data);
  });
});
