import { createHmac } from "node:crypto";
import { type CloudConfig, cloudConfigSchema } from "@homecam/shared";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { loadOrCreateSigningKey } from "../../../src/auth/signing-key.js";
import { TokenService } from "../../../src/auth/token-service.js";
import { type RunningCloud, startCloud } from "../../../src/main.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/databases.js";
import { waitFor } from "../../helpers/fake-agent.js";
import { silentLogger } from "../../helpers/logs.js";
import { type DeviceFixture, deviceFixture, type MatrixUsers, registerUser } from "../authz/route-fixture.js";
import { closeViewers, type RtcDevice, startRtcDevice } from "./rtc-device.js";

// The running cloud (startCloud: real routes, real aedes broker, presence) with a TURN server
// configured and a 1 s answer timeout. Each test gets a fresh device paired to the owner and the
// viewer and connected as an RtcDevice (the fixture also has a viewer whose grant was revoked, and
// another device with a camera of its own).

export const TURN_SECRET = "whep-relay-test-turn-secret";
export const TURN_URL = "turn:127.0.0.1:3478?transport=udp";
export const STUN_URL = "stun:127.0.0.1:3478";

export interface WhepCloud {
  config: CloudConfig;
  cloud: RunningCloud;
  users: MatrixUsers;
  fx: DeviceFixture;
  device: RtcDevice;
  bearer(who: keyof MatrixUsers): string;
  /** POST an offer to a camera's WHEP endpoint (default: the fixture's camera, a token-less call). */
  postOffer(opts?: { auth?: string | undefined; body?: string; type?: string; cameraId?: string }): Promise<{
    status: number;
    headers: Headers;
    text: string;
  }>;
  /** An access token of the owner's session that expired an hour ago. */
  expiredToken(): Promise<string>;
}

/** Register the hooks of a describe block; the returned object is filled before each test. */
export function useWhepCloud(dialect: TestDatabase["dialect"]): WhepCloud {
  let database: TestDatabase;
  const ctx = {} as WhepCloud;
  ctx.bearer = (who) => `Bearer ${ctx.users[who].token}`;
  ctx.postOffer = async (opts = {}) => {
    const headers: Record<string, string> = { "content-type": opts.type ?? "application/sdp" };
    if (opts.auth) headers.authorization = opts.auth;
    const res = await fetch(`${ctx.cloud.url}/api/cameras/${opts.cameraId ?? ctx.fx.cameraId}/whep`, {
      method: "POST",
      headers,
      body: opts.body ?? "v=0\r\n",
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  ctx.expiredToken = async () => {
    const { config, users } = ctx;
    const { sid } = decodeJwt(users.owner.token) as { sid: string };
    const tokens = new TokenService({
      key: await loadOrCreateSigningKey(config.stateDir),
      issuer: config.auth.issuer ?? config.http.publicUrl,
      audience: config.auth.audience,
      accessTtlSeconds: 900,
      clock: { now: () => Date.now() - 3_600_000 },
    });
    return tokens.issueAccess({ id: users.owner.id, role: "user" }, sid);
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ctx.config = cloudConfigSchema.parse({
      stateDir: database.stateDir,
      database: { url: database.url },
      http: { port: 0 },
      mqtt: { port: 0 },
      rtc: {
        iceServers: [{ urls: STUN_URL }],
        turn: { urls: [TURN_URL], secret: TURN_SECRET, ttlS: 600 },
        answerTimeoutMs: 1000,
      },
    });
    ctx.cloud = await startCloud({ config: ctx.config, log: silentLogger() });
    const [owner, viewer, revoked, stranger, admin] = await Promise.all(
      ["owner", "viewer", "revoked", "stranger", "admin"].map((l) => registerUser(ctx.cloud.url, l)),
    );
    ctx.users = { owner, viewer, revoked, stranger, admin } as MatrixUsers;
  }, 60_000);
  afterAll(async () => {
    await ctx.cloud?.stop();
    await database?.dispose();
  });
  beforeEach(async () => {
    ctx.fx = await deviceFixture(ctx.cloud.url, ctx.users);
    ctx.device = await startRtcDevice(ctx.cloud.mqtt.port, ctx.fx.device);
    await waitFor(() => ctx.cloud.presence.isOnline(ctx.fx.device.id), 5000, "device online");
  });
  afterEach(async () => {
    await closeViewers();
    await ctx.device?.stop();
  });
  return ctx;
}

/** The error code of an error envelope. */
export const codeOf = (text: string): string | undefined =>
  (JSON.parse(text) as { error?: { code?: string } }).error?.code;

/** coturn's password for `username` under the test secret. */
export function turnHmac(username: string): string {
  return createHmac("sha1", TURN_SECRET).update(username).digest("base64");
}
