import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { pairingLimitKey } from "../../../src/pairing/pairing-limits.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { MIN, otherPin, type PairingApp, startPairingApp } from "./pairing-app.js";

// The typed path: `{pin}` without the QR's pairing id. Small limits so each rule is reached fast:
// 3 misses per account, 5 per IP, 8 deployment-wide (the tests all come from 127.0.0.1, so the
// deployment-wide budget is filled through the shared limiter, as other instances' hits would).
const LIMITS = {
  typedAccount: { limit: 3, windowMs: 15 * MIN },
  typedIp: { limit: 5, windowMs: 15 * MIN },
  typedGlobal: { limit: 8, windowMs: MIN },
};

describe.each(TEST_DIALECTS)("typed PIN on %s", (dialect) => {
  let database: TestDatabase | undefined;
  let p: PairingApp | undefined;

  // A fresh app per test: the rate limiter's budgets start empty.
  beforeEach(async () => {
    await p?.close();
    await database?.dispose();
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database, { limits: LIMITS });
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });
  const app = () => p as PairingApp;

  it("claims with the PIN alone; hits never use up the budget", async () => {
    const device = await app().newDevice();
    const s = await app().generate(device);
    const user = await app().app.createUser();
    for (let i = 0; i < 5; i++) expect((await app().validate(user, { pin: s.pin })).status).toBe(200);
    const r = await app().establish(user, { pin: s.pin });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ deviceId: device.id, role: "owner" });
    // Claimed: the PIN names no live session any more.
    const again = await app().establish(user, { pin: s.pin });
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({
      code: "E_NOT_FOUND",
      message: "no pairing session with this PIN",
    });
  });

  it("answers a PIN matching nothing with one generic 404, and does not touch live sessions", async () => {
    const s = await app().generate(await app().newDevice());
    const user = await app().app.createUser();
    const r = await app().establish(user, { pin: otherPin(s.pin) });
    expect(r.status).toBe(404);
    expect(r.body.error?.code).toBe("E_NOT_FOUND");
    const row = await app()
      .app.db.db.selectFrom("pairing_sessions")
      .select(["state", "failed_attempts"])
      .where("id", "=", s.pairingId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "open", failed_attempts: 0 });
  });

  it("limits misses per account (validate and establish alike), with Retry-After", async () => {
    const s = await app().generate(await app().newDevice());
    const [mallory, alice] = [await app().app.createUser(), await app().app.createUser()];
    const miss = otherPin(s.pin);
    expect((await app().validate(mallory, { pin: miss })).status).toBe(404);
    expect((await app().establish(mallory, { pin: miss })).status).toBe(404);
    expect((await app().establish(mallory, { pin: miss })).status).toBe(404);
    const limited = await app().establish(mallory, { pin: s.pin });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("E_RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBe(15 * 60);
    expect((await app().validate(mallory, { pin: s.pin })).status).toBe(429);
    // Another account from the same IP still gets through.
    expect((await app().establish(alice, { pin: s.pin })).status).toBe(200);
    // The window slides: 15 minutes later the account may try again.
    app().clock.now += 15 * MIN;
    expect((await app().establish(mallory, { pin: miss })).status).toBe(404);
  });

  it("limits misses per IP over all accounts", async () => {
    const s = await app().generate(await app().newDevice());
    const users = await Promise.all(Array.from({ length: 4 }, () => app().app.createUser()));
    const miss = otherPin(s.pin);
    // 2 + 2 + 1 misses from three accounts: none reaches its own limit of 3.
    for (const u of [users[0], users[0], users[1], users[1], users[2]]) {
      expect((await app().establish(u as string, { pin: miss })).status).toBe(404);
    }
    const fresh = await app().establish(users[3] as string, { pin: s.pin });
    expect(fresh.status).toBe(429);
    expect(fresh.body.error?.code).toBe("E_RATE_LIMITED");
    expect(fresh.headers.get("retry-after")).not.toBeNull();
    // The QR path is not limited this way: the pairing id is a 256-bit secret.
    const qr = await app().establish(users[3] as string, { pairingId: s.pairingId, pin: s.pin });
    expect(qr.status).toBe(200);
  });

  it("limits misses deployment-wide", async () => {
    const s = await app().generate(await app().newDevice());
    const user = await app().app.createUser();
    // Misses from elsewhere (other IPs, other instances sharing the limiter) fill the budget.
    for (let i = 0; i < LIMITS.typedGlobal.limit; i++) {
      expect(
        (await app().limiter.take(pairingLimitKey("typedGlobal", "all"), LIMITS.typedGlobal)).allowed,
      ).toBe(true);
    }
    const r = await app().establish(user, { pin: s.pin });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBe(60);
    app().clock.now += MIN;
    expect((await app().establish(user, { pin: s.pin })).status).toBe(200);
  });
});
