import { cloudConfigSchema, LAN_TOKEN_TYP } from "@homecam/shared";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCloud, startCloud } from "../../../src/main.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { type DeviceFixture, deviceFixture, type MatrixUsers, registerUser } from "../authz/route-fixture.js";

// `POST /api/devices/:id/lan-token` through the running cloud: grant holders get a device-scoped
// EdDSA JWT that verifies against the published JWKS; everyone else is refused.

const ISSUER = "https://cloud.lan-token.test";

describe.each(TEST_DIALECTS)("LAN token route (%s)", (dialect) => {
  let database: TestDatabase;
  let cloud: RunningCloud;
  let users: MatrixUsers;
  let fx: DeviceFixture;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = cloudConfigSchema.parse({
      stateDir: database.stateDir,
      database: { url: database.url },
      http: { port: 0 },
      mqtt: { port: 0 },
      auth: { issuer: ISSUER },
    });
    cloud = await startCloud({ config, log: silentLogger() });
    const [owner, viewer, revoked, stranger, admin] = await Promise.all(
      ["owner", "viewer", "revoked", "stranger", "admin"].map((l) => registerUser(cloud.url, l)),
    );
    users = { owner, viewer, revoked, stranger, admin } as MatrixUsers;
    fx = await deviceFixture(cloud.url, users);
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    await database?.dispose();
  });

  const path = () => `/api/devices/${fx.device.id}/lan-token`;

  it.each(["owner", "viewer"] as const)("gives the %s a token scoped to the device", async (who) => {
    const before = Math.floor(Date.now() / 1000);
    const r = await call(cloud.url, "POST", path(), { auth: `Bearer ${users[who].token}` });
    expect(r.status).toBe(200);
    const { token, expiresAt, deviceId } = r.body.data as {
      token: string;
      expiresAt: string;
      deviceId: string;
    };
    expect(deviceId).toBe(fx.device.id);

    const jwks = (await (await fetch(`${cloud.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: ["EdDSA"],
      typ: LAN_TOKEN_TYP,
      issuer: ISSUER,
      audience: fx.device.id,
    });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload.sub).toBe(users[who].id);
    expect(payload.role).toBe(who);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    // Default 12 h, never more than 24 h.
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(12 * 3600);
    expect(Date.parse(expiresAt)).toBe((payload.exp ?? 0) * 1000);
  });

  it("is not an access token: the cloud refuses it as a bearer", async () => {
    const r = await call(cloud.url, "POST", path(), { auth: `Bearer ${users.owner.token}` });
    const token = r.body.data.token as string;
    expect(decodeProtectedHeader(token).typ).toBe(LAN_TOKEN_TYP);
    const me = await call(cloud.url, "GET", "/api/profile", { auth: `Bearer ${token}` });
    expect(me.status).toBe(401);
  });

  it("answers 404 to a stranger and to a revoked viewer, 401 to anonymous", async () => {
    for (const who of ["stranger", "revoked"] as const) {
      const r = await call(cloud.url, "POST", path(), { auth: `Bearer ${users[who].token}` });
      expect(r.status, who).toBe(404);
    }
    expect((await call(cloud.url, "POST", path())).status).toBe(401);
  });

  it("refuses an API key, even the owner's", async () => {
    const minted = await call(cloud.url, "POST", "/api/api-keys", {
      auth: `Bearer ${users.owner.token}`,
      body: { name: "integration" },
    });
    expect(minted.status).toBe(201);
    const r = await call(cloud.url, "POST", path(), { auth: `Bearer ${minted.body.data.secret}` });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe("E_FORBIDDEN");
  });
});
