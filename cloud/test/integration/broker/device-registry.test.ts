import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../../src/db/migrate.js";
import type { DatabaseHandle } from "../../../src/db/open-database.js";
import { DeviceAuthError, DeviceRegistry } from "../../../src/devices/device-registry.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { craftToken, createTestDevice, type TestDevice } from "../../helpers/device-keys.js";
import { silentLogger } from "../../helpers/logs.js";

describe.each(TEST_DIALECTS)("device token verification on %s", (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let nowMs: number;
  let registry: DeviceRegistry;
  let device: TestDevice;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    handle = database.open();
    await migrateToLatest(handle, silentLogger());
    nowMs = Date.UTC(2026, 0, 1);
    registry = new DeviceRegistry({ db: handle.db, clock: { now: () => nowMs } });
    device = await createTestDevice();
  });
  afterEach(async () => {
    await database?.dispose();
  });
  const nowS = () => Math.floor(nowMs / 1000);

  async function refusal(token: string, singleUse = false): Promise<string> {
    const err = await registry.verifyDeviceToken(token, { singleUse }).then(
      () => "accepted",
      (e: unknown) => e,
    );
    if (err === "accepted") return err;
    expect(err).toBeInstanceOf(DeviceAuthError);
    return (err as DeviceAuthError).code;
  }

  it("pins the key on first contact and accepts it again", async () => {
    const first = await registry.verifyDeviceToken(await device.token({ now: nowS() }));
    expect(first).toMatchObject({ deviceId: device.id, firstContact: true });
    const row = await registry.getDevice(device.id);
    expect(row).toMatchObject({ id: device.id, createdAt: nowMs, lastSeenAt: nowMs, revokedAt: null });
    nowMs += 1000;
    const second = await registry.verifyDeviceToken(await device.token({ now: nowS() }));
    expect(second.firstContact).toBe(false);
    expect((await registry.getDevice(device.id))?.lastSeenAt).toBe(nowMs);
  });

  it("refuses every malformed, forged or out-of-policy token", async () => {
    const other = await createTestDevice();
    const now = nowS();
    const cases: [string, () => Promise<string>, string][] = [
      ["garbage", async () => "not-a-jwt", "malformed"],
      ["empty", async () => "", "malformed"],
      // Another key in the header than the one that signed: the signature fails.
      ["wrong key in header", () => device.token({ now, header: { jwk: other.publicJwk } }), "bad_signature"],
      [
        "private key in header",
        () => device.token({ now, header: { jwk: { ...device.publicJwk, d: "AAAA" } } }),
        "bad_key",
      ],
      ["no key in header", () => device.token({ now, header: { jwk: undefined } }), "bad_key"],
      [
        "sub is another thumbprint",
        () => device.token({ now, claims: { sub: other.id, iss: other.id } }),
        "thumbprint_mismatch",
      ],
      ["iss differs from sub", () => device.token({ now, claims: { iss: other.id } }), "thumbprint_mismatch"],
      [
        "alg none",
        async () =>
          craftToken(
            { alg: "none", jwk: device.publicJwk },
            { sub: device.id, iss: device.id, aud: "homecam-cloud", exp: now + 60 },
          ),
        "malformed",
      ],
      [
        "HS256 keyed with the public x",
        async () => {
          const h = Buffer.from(JSON.stringify({ alg: "HS256", jwk: device.publicJwk })).toString(
            "base64url",
          );
          const p = Buffer.from(
            JSON.stringify({
              typ: "device",
              sub: device.id,
              iss: device.id,
              aud: "homecam-cloud",
              iat: now,
              exp: now + 60,
              jti: "j",
            }),
          ).toString("base64url");
          const sig = createHmac("sha256", String(device.publicJwk.x))
            .update(`${h}.${p}`)
            .digest("base64url");
          return `${h}.${p}.${sig}`;
        },
        "malformed",
      ],
      ["expired", () => device.token({ now: now - 400, ttl: 300 }), "expired"],
      ["exp more than 5 min ahead", () => device.token({ now, ttl: 3600 }), "lifetime_too_long"],
      [
        "iat in the future to stretch exp",
        () => device.token({ now: now + 200, ttl: 300 }),
        "lifetime_too_long",
      ],
      ["wrong aud", () => device.token({ now, claims: { aud: "homecam-lan" } }), "bad_claims"],
      ["missing jti", () => device.token({ now, claims: { jti: undefined } }), "bad_claims"],
      ["wrong typ", () => device.token({ now, claims: { typ: "access" } }), "bad_claims"],
    ];
    const results = [];
    for (const [name, make, expected] of cases) results.push([name, await refusal(await make()), expected]);
    expect(results.map(([n, got]) => [n, got])).toEqual(results.map(([n, , want]) => [n, want]));
    // Nothing was pinned by a refused token.
    expect(await registry.getDevice(device.id)).toBeNull();
  });

  it("refuses a revoked device", async () => {
    await registry.verifyDeviceToken(await device.token({ now: nowS() }));
    expect(await registry.revoke(device.id)).toBe(true);
    expect(await refusal(await device.token({ now: nowS() }))).toBe("revoked");
  });

  it("refuses a different key for a pinned id", async () => {
    await registry.verifyDeviceToken(await device.token({ now: nowS() }));
    // A thumbprint collision cannot be produced; simulate one by pinning another key under this id.
    const other = await createTestDevice();
    await handle.db
      .updateTable("devices")
      .set({ public_jwk: JSON.stringify({ crv: "Ed25519", kty: "OKP", x: other.publicJwk.x }) })
      .where("id", "=", device.id)
      .execute();
    expect(await refusal(await device.token({ now: nowS() }))).toBe("key_mismatch");
  });

  it("refuses a replayed single-use token within its lifetime", async () => {
    const token = await device.token({ now: nowS() });
    expect(await refusal(token, true)).toBe("accepted");
    expect(await refusal(token, true)).toBe("replayed");
  });

  it("pins once when first contacts race", async () => {
    const tokens = await Promise.all(Array.from({ length: 10 }, () => device.token({ now: nowS() })));
    const results = await Promise.all(tokens.map((t) => registry.verifyDeviceToken(t)));
    expect(results.filter((r) => r.firstContact)).toHaveLength(1);
  });
});
