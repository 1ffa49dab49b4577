import type { PairingSession } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import type { TestDevice } from "../../helpers/device-keys.js";
import { call } from "../../helpers/feature-app.js";
import { MIN, otherPin, type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

describe.each(TEST_DIALECTS)("POST /api/connection/establish (QR path) on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;
  let step = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database);
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  /** A fresh device with one session, at a time of its own (no test sees another's sessions). */
  const fresh = async (): Promise<{ device: TestDevice; session: PairingSession }> => {
    step += 1;
    p.clock.now = T0 + step * 100 * MIN;
    const device = await p.newDevice();
    return { device, session: await p.generate(device) };
  };
  const session = (id: string) =>
    p.app.db.db.selectFrom("pairing_sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const grants = (deviceId: string) =>
    p.app.db.db
      .selectFrom("device_grants")
      .select(["user_id", "role"])
      .where("device_id", "=", deviceId)
      .orderBy("created_at")
      .execute();

  it("accepts the right PIN at 9:59 and answers the device with its cameras", async () => {
    const { device, session: s } = await fresh();
    const cam = await p.addCamera(device.id, "Porch");
    await p.addCamera(device.id, "Old", { removed: true });
    const user = await p.app.createUser();
    p.clock.now += 9 * MIN + 59_000 - 2; // addCamera moved the clock 2 ms
    const r = await p.establish(user, { pairingId: s.pairingId, pin: s.pin });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      deviceId: device.id,
      deviceName: `device-${device.id.slice(0, 8)}`,
      role: "owner",
      cameras: [{ id: cam, name: "Porch" }],
    });
    expect(await session(s.pairingId)).toMatchObject({
      state: "claimed",
      claimed_by: user,
      claimed_at: p.clock.now,
      claimed_role: "owner",
    });
  });

  it("refuses the right PIN at 10:01 with E_GONE", async () => {
    const { session: s } = await fresh();
    const user = await p.app.createUser();
    p.clock.now += 10 * MIN + 1000;
    const r = await p.establish(user, { pairingId: s.pairingId, pin: s.pin });
    expect(r.status).toBe(410);
    expect(r.body.error?.code).toBe("E_GONE");
    expect(await grants((await session(s.pairingId)).device_id)).toEqual([]);
  });

  it("burns the session at the 5th wrong PIN; the right PIN fails afterwards", async () => {
    const { device, session: s } = await fresh();
    const user = await p.app.createUser();
    const wrong = otherPin(s.pin);
    for (let i = 1; i <= 4; i++) {
      const r = await p.establish(user, { pairingId: s.pairingId, pin: wrong });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "E_VALIDATION", details: { attemptsLeft: 5 - i } });
      expect((await session(s.pairingId)).failed_attempts).toBe(i);
    }
    const fifth = await p.establish(user, { pairingId: s.pairingId, pin: wrong });
    expect(fifth.status).toBe(410);
    expect(await session(s.pairingId)).toMatchObject({ state: "burned", failed_attempts: 5 });
    const right = await p.establish(user, { pairingId: s.pairingId, pin: s.pin });
    expect(right.status).toBe(410);
    expect(right.body.error?.code).toBe("E_GONE");
    expect(await grants(device.id)).toEqual([]);
    const log = await p.app.db.db
      .selectFrom("device_access_log")
      .select(["action", "outcome", "user_id"])
      .where("device_id", "=", device.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    expect(log.map((l) => l.outcome)).toEqual(["wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin", "burned"]);
  });

  it("checks the PIN against the named session only: another session's PIN counts a wrong try there", async () => {
    const { session: a } = await fresh();
    const b = await p.generate(await p.newDevice());
    const user = await p.app.createUser();
    const r = await p.establish(user, { pairingId: a.pairingId, pin: b.pin });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("E_VALIDATION");
    expect(await session(a.pairingId)).toMatchObject({ state: "open", failed_attempts: 1 });
    expect(await session(b.pairingId)).toMatchObject({ state: "open", failed_attempts: 0 });
  });

  it("counts a failed validate as a wrong try; a successful validate claims nothing", async () => {
    const { device, session: s } = await fresh();
    const user = await p.app.createUser();
    for (let i = 0; i < 4; i++) {
      expect((await p.validate(user, { pairingId: s.pairingId, pin: otherPin(s.pin) })).status).toBe(400);
    }
    const ok = await p.validate(user, { pairingId: s.pairingId, pin: s.pin });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ pairingId: s.pairingId, state: "open", claimedRole: null });
    expect(await session(s.pairingId)).toMatchObject({ state: "open", failed_attempts: 4 });
    expect(await grants(device.id)).toEqual([]);
    expect((await p.validate(user, { pairingId: s.pairingId, pin: otherPin(s.pin) })).status).toBe(410);
    expect((await p.establish(user, { pairingId: s.pairingId, pin: s.pin })).status).toBe(410);
  });

  it("is single-use: a second claim of the same session is refused", async () => {
    const { session: s } = await fresh();
    const [u1, u2] = [await p.app.createUser(), await p.app.createUser()];
    expect((await p.establish(u1, { pairingId: s.pairingId, pin: s.pin })).status).toBe(200);
    const again = await p.establish(u2, { pairingId: s.pairingId, pin: s.pin });
    expect(again.status).toBe(410);
    expect((await session(s.pairingId)).claimed_by).toBe(u1);
  });

  it("makes the first claimer owner and the next (new session) viewer, and notifies the owner", async () => {
    const { device, session: first } = await fresh();
    const [owner, viewer] = [await p.app.createUser(), await p.app.createUser()];
    p.pushed.length = 0;
    expect((await p.establish(owner, { pairingId: first.pairingId, pin: first.pin })).body.data.role).toBe(
      "owner",
    );
    p.clock.now += 1000;
    const second = await p.generate(device);
    const r = await p.establish(viewer, { pairingId: second.pairingId, pin: second.pin });
    expect(r.body.data.role).toBe("viewer");
    expect(await grants(device.id)).toEqual([
      { user_id: owner, role: "owner" },
      { user_id: viewer, role: "viewer" },
    ]);
    expect(p.pushed).toHaveLength(2);
    const last = p.pushed[1];
    expect(last?.userIds).toContain(owner);
    expect(last?.event).toEqual({
      type: "grant.added",
      deviceId: device.id,
      at: p.clock.now,
      userId: viewer,
      role: "viewer",
      displayName: `User ${viewer}`,
    });
    const log = await p.app.db.db
      .selectFrom("device_access_log")
      .select(["user_id", "action", "outcome", "detail"])
      .where("device_id", "=", device.id)
      .execute();
    expect(log).toEqual(
      expect.arrayContaining([
        { user_id: owner, action: "pair.claim", outcome: "ok", detail: "role=owner origin=device" },
        { user_id: viewer, action: "pair.claim", outcome: "ok", detail: "role=viewer origin=device" },
      ]),
    );
  });

  it("keeps an existing owner's role when the owner claims again, and pushes nothing", async () => {
    const { device, session: first } = await fresh();
    const owner = await p.app.createUser();
    await p.establish(owner, { pairingId: first.pairingId, pin: first.pin });
    p.pushed.length = 0;
    const second = await p.generate(device);
    const r = await p.establish(owner, { pairingId: second.pairingId, pin: second.pin });
    expect(r.body.data.role).toBe("owner");
    expect(await grants(device.id)).toEqual([{ user_id: owner, role: "owner" }]);
    expect(p.pushed).toEqual([]);
  });

  it("promotes a viewer to owner when the device has lost its owner", async () => {
    const { device, session: first } = await fresh();
    const [owner, viewer] = [await p.app.createUser(), await p.app.createUser()];
    await p.establish(owner, { pairingId: first.pairingId, pin: first.pin });
    const second = await p.generate(device);
    await p.establish(viewer, { pairingId: second.pairingId, pin: second.pin });
    await p.app.db.db.deleteFrom("users").where("id", "=", owner).execute();
    const third = await p.generate(device);
    const r = await p.establish(viewer, { pairingId: third.pairingId, pin: third.pin });
    expect(r.body.data.role).toBe("owner");
    expect(await grants(device.id)).toEqual([{ user_id: viewer, role: "owner" }]);
  });

  it("answers 404 for an unknown pairing id and 400 for a malformed body, 401 without a user", async () => {
    const user = await p.app.createUser();
    const unknown = await p.establish(user, { pairingId: "A".repeat(43), pin: "123456" });
    expect(unknown.status).toBe(404);
    expect((await p.establish(user, { pairingId: "short", pin: "123456" })).status).toBe(400);
    expect((await p.establish(user, { pin: "12345" })).status).toBe(400);
    expect((await p.establish(user, { pin: "123456", extra: true })).status).toBe(400);
    const anon = await call(p.app.url, "POST", "/api/connection/establish", { body: { pin: "x" } });
    expect(anon.status).toBe(401);
  });
});
