import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimAndGrant } from "../../../src/pairing/pairing-claim.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { MIN, otherPin, type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

// Races the database must decide: the claim, the wrong-PIN counter and the one-owner rule are
// single SQL statements, so the outcome is the same on SQLite (one writer) and on PostgreSQL
// (a pool of concurrent connections).

describe.each(TEST_DIALECTS)("pairing races on %s", (dialect) => {
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

  it("20 concurrent correct claims of one session: exactly one wins, the others get 409 or 410", async () => {
    p.clock.now = T0;
    const device = await p.newDevice();
    const s = await p.generate(device);
    const users = await Promise.all(Array.from({ length: 20 }, () => p.app.createUser()));
    const results = await Promise.all(
      users.map((u) => p.establish(u, { pairingId: s.pairingId, pin: s.pin })),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(["E_CONFLICT", "E_GONE"]).toContain(r.body.error?.code);
    }
    const grants = await p.app.db.db
      .selectFrom("device_grants")
      .select(["user_id", "role"])
      .where("device_id", "=", device.id)
      .execute();
    const row = await p.app.db.db
      .selectFrom("pairing_sessions")
      .selectAll()
      .where("id", "=", s.pairingId)
      .executeTakeFirstOrThrow();
    expect(grants).toEqual([{ user_id: row.claimed_by, role: "owner" }]);
    expect(row.state).toBe("claimed");
  });

  it("several sessions of one ownerless device claimed at once: one owner, the rest viewers", async () => {
    p.clock.now = T0 + 100 * MIN;
    const device = await p.newDevice();
    const users = await Promise.all(Array.from({ length: 8 }, () => p.app.createUser()));
    // A device has one open QR at a time and cannot be invited to before it has an owner, so the
    // extra live sessions are other devices' sessions re-pointed at this device.
    const sessions = [await p.generate(device)];
    while (sessions.length < users.length) {
      const s = await p.generate(await p.newDevice());
      await p.app.db.db
        .updateTable("pairing_sessions")
        .set({ device_id: device.id })
        .where("id", "=", s.pairingId)
        .execute();
      sessions.push(s);
    }
    const results = await Promise.all(
      users.map((u, i) => p.establish(u, { pairingId: sessions[i]!.pairingId, pin: sessions[i]!.pin })),
    );
    expect(results.map((r) => r.status)).toEqual(users.map(() => 200));
    const roles = results.map((r) => r.body.data.role as string);
    expect(roles.filter((r) => r === "owner")).toHaveLength(1);
    expect(roles.filter((r) => r === "viewer")).toHaveLength(users.length - 1);
    const owners = await p.app.db.db
      .selectFrom("device_grants")
      .select("user_id")
      .where("device_id", "=", device.id)
      .where("role", "=", "owner")
      .execute();
    expect(owners).toEqual([{ user_id: users[roles.indexOf("owner")] }]);
  });

  it("concurrent wrong PINs: the counter never loses a count, and the session burns exactly at 5", async () => {
    p.clock.now = T0 + 200 * MIN;
    const s = await p.generate(await p.newDevice());
    const users = await Promise.all(Array.from({ length: 12 }, () => p.app.createUser()));
    const results = await Promise.all(
      users.map((u) => p.establish(u, { pairingId: s.pairingId, pin: otherPin(s.pin) })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 400)).toHaveLength(4);
    expect(statuses.filter((x) => x === 410)).toHaveLength(8);
    const row = await p.app.db.db
      .selectFrom("pairing_sessions")
      .select(["state", "failed_attempts"])
      .where("id", "=", s.pairingId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "burned", failed_attempts: 5 });
  });

  it("the claim statement alone decides: 20 claims of a session all callers saw open, one grant", async () => {
    // Below HTTP, so every claim surely starts after the PIN check of all of them, on both dialects.
    p.clock.now = T0 + 300 * MIN;
    const device = await p.newDevice();
    const s = await p.generate(device);
    const users = await Promise.all(Array.from({ length: 20 }, () => p.app.createUser()));
    const results = await Promise.all(
      users.map((userId) =>
        claimAndGrant(p.app.db.db, {
          sessionId: s.pairingId,
          deviceId: device.id,
          userId,
          grantedBy: null,
          now: p.clock.now,
        }),
      ),
    );
    expect(results.filter((r) => r !== null)).toEqual([{ role: "owner", added: true }]);
    const grants = await p.app.db.db
      .selectFrom("device_grants")
      .select("user_id")
      .where("device_id", "=", device.id)
      .execute();
    expect(grants).toEqual([{ user_id: users[results.findIndex((r) => r !== null)] }]);
  });
});
