import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { PAIRING_ID_RE, PIN_RE, parsePairingUrl } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PIN_HMAC_KEY_FILE, pinHmac } from "../../../src/pairing/pin-secret.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { MIN, type PairingApp, startPairingApp, T0 } from "./pairing-app.js";

describe.each(TEST_DIALECTS)("POST /api/qr/generate on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;
  // The injected PIN generator: a queue the tests fill, random digits when empty.
  const pins: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database, {
      generatePin: () => pins.shift() ?? String(Math.floor(Math.random() * 1e6)).padStart(6, "0"),
      limits: { generateDevice: { limit: 3, windowMs: MIN } },
    });
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  const sessionRow = (id: string) =>
    p.app.db.db.selectFrom("pairing_sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  it("requires a device token: none is 401, a user's token 403, before the body is read", async () => {
    const user = await p.app.createUser();
    const none = await call(p.app.url, "POST", "/api/qr/generate", { body: { bogus: 1 } });
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe("E_UNAUTHORIZED");
    const asUser = await call(p.app.url, "POST", "/api/qr/generate", {
      auth: p.app.bearer(user),
      body: { bogus: 1 },
    });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error?.code).toBe("E_FORBIDDEN");
    const device = await p.newDevice();
    const bad = await call(p.app.url, "POST", "/api/qr/generate", {
      auth: await p.deviceAuth(device),
      body: { bogus: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("E_VALIDATION");
  });

  it("opens a session: 256-bit id, 6-digit PIN, claim URL, 10-minute expiry; the PIN is stored as an HMAC", async () => {
    p.clock.now = T0 + 100 * MIN;
    const device = await p.newDevice();
    const r = await call(p.app.url, "POST", "/api/qr/generate", { auth: await p.deviceAuth(device) });
    expect(r.status).toBe(201);
    const s = r.body.data;
    expect(s.pairingId).toMatch(PAIRING_ID_RE);
    expect(Buffer.from(s.pairingId, "base64url")).toHaveLength(32);
    expect(s.pin).toMatch(PIN_RE);
    expect(s.expiresAt).toBe(new Date(p.clock.now + 10 * MIN).toISOString());
    expect(s.url.startsWith(`${p.app.config.http.publicUrl}/pair#`)).toBe(true);
    expect(parsePairingUrl(s.url)).toEqual({ pairingId: s.pairingId, pin: s.pin });

    const keyFile = join(database.stateDir, "keys", PIN_HMAC_KEY_FILE);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = Buffer.from((await readFile(keyFile, "utf8")).trim(), "base64url");
    expect(key).toHaveLength(32);
    const row = await sessionRow(s.pairingId);
    expect(row).toMatchObject({
      device_id: device.id,
      origin: "device",
      state: "open",
      failed_attempts: 0,
      pin_hmac: pinHmac(key, s.pin),
      expires_at: p.clock.now + 10 * MIN,
    });
    expect(JSON.stringify(row)).not.toContain(s.pin);
  });

  it("a new session cancels the device's previous open one, not other devices' sessions", async () => {
    p.clock.now = T0 + 200 * MIN;
    const a = await p.newDevice();
    const b = await p.newDevice();
    const first = await p.generate(a);
    const other = await p.generate(b);
    const second = await p.generate(a);
    expect((await sessionRow(first.pairingId)).state).toBe("cancelled");
    expect((await sessionRow(second.pairingId)).state).toBe("open");
    expect((await sessionRow(other.pairingId)).state).toBe("open");
    const user = await p.app.createUser();
    const r = await p.establish(user, { pairingId: first.pairingId, pin: first.pin });
    expect(r.status).toBe(410);
    expect(r.body.error?.code).toBe("E_GONE");
  });

  it("draws another PIN when the first collides with a live session", async () => {
    p.clock.now = T0 + 300 * MIN;
    const a = await p.newDevice();
    const b = await p.newDevice();
    pins.push("424242");
    const first = await p.generate(a);
    expect(first.pin).toBe("424242");
    pins.push("424242", "424242", "135790");
    const second = await p.generate(b);
    expect(second.pin).toBe("135790");
    expect(pins).toEqual([]);
    // Both stay claimable with their own PIN.
    const [u1, u2] = [await p.app.createUser(), await p.app.createUser()];
    expect((await p.validate(u1, { pairingId: first.pairingId, pin: "424242" })).status).toBe(200);
    expect((await p.validate(u2, { pairingId: second.pairingId, pin: "135790" })).status).toBe(200);
  });

  it("a PIN is free again once its session expired", async () => {
    p.clock.now = T0 + 400 * MIN;
    const a = await p.newDevice();
    const b = await p.newDevice();
    pins.push("777001");
    const first = await p.generate(a);
    p.clock.now += 10 * MIN;
    pins.push("777001");
    const second = await p.generate(b);
    expect(second.pin).toBe("777001");
    expect((await sessionRow(first.pairingId)).state).toBe("expired");
    expect((await sessionRow(second.pairingId)).state).toBe("open");
  });

  it("gives up with E_CONFLICT when every draw collides, leaving nothing open", async () => {
    p.clock.now = T0 + 500 * MIN;
    const a = await p.newDevice();
    const b = await p.newDevice();
    pins.push("999111");
    await p.generate(a);
    pins.push(...Array(20).fill("999111"));
    const r = await call(p.app.url, "POST", "/api/qr/generate", { auth: await p.deviceAuth(b), body: {} });
    expect(r.status).toBe(409);
    expect(r.body.error?.code).toBe("E_CONFLICT");
    expect(pins).toEqual([]);
    const open = await p.app.db.db
      .selectFrom("pairing_sessions")
      .select("id")
      .where("device_id", "=", b.id)
      .execute();
    expect(open).toEqual([]);
  });

  it("rate-limits generate per device with Retry-After", async () => {
    p.clock.now = T0 + 600 * MIN;
    const a = await p.newDevice();
    const b = await p.newDevice();
    for (let i = 0; i < 3; i++) await p.generate(a);
    const r = await call(p.app.url, "POST", "/api/qr/generate", { auth: await p.deviceAuth(a), body: {} });
    expect(r.status).toBe(429);
    expect(r.body.error?.code).toBe("E_RATE_LIMITED");
    expect(Number(r.headers.get("retry-after"))).toBe(60);
    await p.generate(b);
    p.clock.now += MIN;
    await p.generate(a);
  });
});

describe.each(TEST_DIALECTS)("pairing URL with relay.viewerBaseUrl on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database, {
      config: { relay: { viewerBaseUrl: "https://view.example.test/app/" } },
    });
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  it("points the QR at the viewer app rather than the API's public URL", async () => {
    const s = await p.generate(await p.newDevice());
    expect(s.url).toBe(`https://view.example.test/app/pair#pid=${s.pairingId}&pin=${s.pin}`);
  });
});
