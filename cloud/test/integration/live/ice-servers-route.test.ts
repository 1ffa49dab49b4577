import { createHmac } from "node:crypto";
import { type CloudConfigInput, cloudConfigSchema, HOMECAM_LIVE_SCRIPT } from "@homecam/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCloud, startCloud } from "../../../src/main.js";
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from "../../helpers/databases.js";
import { call } from "../../helpers/feature-app.js";
import { silentLogger } from "../../helpers/logs.js";
import { registerUser, type UserSession } from "../authz/route-fixture.js";

// `GET /api/rtc/ice-servers` (TURN REST API credentials, coturn's use-auth-secret) and the cloud's
// live page, through the running cloud, with and without a TURN server configured.

const SECRET = "ice-route-test-turn-secret";
const STUN = { urls: ["stun:stun1.example.test:3478", "stun:stun2.example.test:3478"] };

async function cloudWith(database: TestDatabase, rtc: CloudConfigInput["rtc"]): Promise<RunningCloud> {
  const config = cloudConfigSchema.parse({
    stateDir: database.stateDir,
    database: { url: database.url },
    http: { port: 0 },
    mqtt: { port: 0 },
    rtc,
  });
  return startCloud({ config, log: silentLogger() });
}

describe.each(TEST_DIALECTS)("ICE servers and the live page (%s)", (dialect) => {
  let database: TestDatabase;
  let cloud: RunningCloud;
  let user: UserSession;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    cloud = await cloudWith(database, {
      iceServers: [STUN],
      turn: {
        urls: ["turn:turn.example.test:3478?transport=udp", "turns:turn.example.test:5349"],
        secret: SECRET,
        ttlS: 900,
      },
    });
    user = await registerUser(cloud.url, "ice");
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    await database?.dispose();
  });

  it("mints a TURN credential for the caller: `<expiry>:<userId>`, HMAC-SHA1 of it, valid ttlS", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await call(cloud.url, "GET", "/api/rtc/ice-servers", { auth: `Bearer ${user.token}` });
    const after = Math.floor(Date.now() / 1000);
    expect(r.status).toBe(200);
    const { iceServers, expiresAt } = r.body.data as {
      iceServers: { urls: string | string[]; username?: string; credential?: string }[];
      expiresAt: number;
    };
    expect(iceServers[0]).toEqual(STUN);
    const turn = iceServers[1];
    expect(turn?.urls).toEqual(["turn:turn.example.test:3478?transport=udp", "turns:turn.example.test:5349"]);
    const match = /^(\d+):(.+)$/.exec(turn?.username ?? "");
    expect(match?.[2]).toBe(user.id);
    const expiry = Number(match?.[1]);
    expect(expiry).toBeGreaterThanOrEqual(before + 900);
    expect(expiry).toBeLessThanOrEqual(after + 900);
    expect(expiresAt).toBe(expiry * 1000);
    expect(turn?.credential).toBe(
      createHmac("sha1", SECRET)
        .update(turn?.username ?? "")
        .digest("base64"),
    );
    expect(iceServers).toHaveLength(2);
  });

  it("refuses anonymous callers (401) and API keys (403)", async () => {
    expect((await call(cloud.url, "GET", "/api/rtc/ice-servers")).status).toBe(401);
    const key = await call(cloud.url, "POST", "/api/api-keys", {
      auth: `Bearer ${user.token}`,
      body: { name: "k" },
    });
    const r = await call(cloud.url, "GET", "/api/rtc/ice-servers", {
      auth: `Bearer ${key.body.data.secret}`,
    });
    expect(r.status).toBe(403);
  });

  it("serves the live page with its element script and a policy that lets it play", async () => {
    const page = await fetch(`${cloud.url}/live?camera=cam_1-A`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(
      '<homecam-live camera="cam_1-A" ice-servers="/api/rtc/ice-servers" fallback="none"></homecam-live>',
    );
    expect(html).toContain('<script src="/live/homecam-live.js" defer></script>');
    const csp = page.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "script-src 'self'",
      "connect-src 'self'",
      "media-src 'self' blob:",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-inline");
    // A camera id that is not one is not echoed into the page.
    const odd = await (await fetch(`${cloud.url}/live?camera=${encodeURIComponent('"><script>')}`)).text();
    expect(odd).not.toContain("<homecam-live");
    expect(odd).not.toContain('"><script>');
    const script = await fetch(`${cloud.url}/live/homecam-live.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(HOMECAM_LIVE_SCRIPT);
  });
});

describe.each(TEST_DIALECTS)("ICE servers without TURN (%s)", (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("hands out the static servers only, with no expiry", async () => {
    const cloud = await cloudWith(database, { iceServers: [{ urls: "stun:stun.example.test" }] });
    try {
      const user = await registerUser(cloud.url, "noturn");
      const r = await call(cloud.url, "GET", "/api/rtc/ice-servers", { auth: `Bearer ${user.token}` });
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ iceServers: [{ urls: "stun:stun.example.test" }] });
    } finally {
      await cloud.stop();
    }
  });

  it("refuses to start with a TURN server and no secret, saying what is missing", async () => {
    await expect(cloudWith(database, { turn: { urls: ["turn:turn.example.test"] } })).rejects.toThrow(
      /rtc\.turn is configured without a secret.*turn-secret/,
    );
  });
});
