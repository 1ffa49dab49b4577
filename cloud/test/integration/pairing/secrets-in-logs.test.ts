import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { type PairingApp, startPairingApp } from "./pairing-app.js";

// Distinctive PINs, so a match in the logs cannot be a timestamp or a random id by chance.
const PINS = ["583927", "640182", "172839"];

describe.each(TEST_DIALECTS)("pairing secrets and the logs on %s", (dialect) => {
  let database: TestDatabase;
  let p: PairingApp;
  const queue = [...PINS];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    p = await startPairingApp(database, {
      generatePin: () => {
        const pin = queue.shift();
        if (!pin) throw new Error("test drew more PINs than planned");
        return pin;
      },
    });
  });
  afterAll(async () => {
    await p?.close();
    await database?.dispose();
  });

  it("never logs a PIN through generate, validate, wrong tries, the typed path, claims and invites", async () => {
    const device = await p.newDevice();
    const [owner, viewer] = [await p.app.createUser(), await p.app.createUser()];
    const s = await p.generate(device);
    expect(s.pin).toBe(PINS[0]);
    expect((await p.validate(owner, { pairingId: s.pairingId, pin: "111111" })).status).toBe(400);
    expect((await p.validate(owner, { pin: "222222" })).status).toBe(404);
    expect((await p.validate(owner, { pairingId: s.pairingId, pin: s.pin })).status).toBe(200);
    expect((await p.establish(owner, { pairingId: s.pairingId, pin: s.pin })).status).toBe(200);
    const t = await p.generate(device);
    expect((await p.establish(viewer, { pin: t.pin })).status).toBe(200);
    const inv = await call(p.app.url, "POST", `/api/devices/${device.id}/invites`, {
      auth: p.app.bearer(owner),
    });
    expect(inv.body.data.pin).toBe(PINS[2]);
    await p.app.requestLog.flush();

    const text = JSON.stringify(p.app.logs);
    // The logger is live and the pairing module logs: the search below means something.
    expect(text).toContain("pairing opened");
    expect(text).toContain("device paired");
    expect(text).toContain("wrong pairing PIN");
    for (const pin of [...PINS, "111111", "222222"]) expect(text).not.toContain(pin);
    const rows = await p.app.db.db.selectFrom("request_log").selectAll().execute();
    const accessLog = await p.app.db.db.selectFrom("device_access_log").selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(accessLog.length).toBeGreaterThan(0);
    for (const pin of PINS) {
      expect(JSON.stringify(rows)).not.toContain(pin);
      expect(JSON.stringify(accessLog)).not.toContain(pin);
    }
  });
});
