import { LAN_TOKEN_TYP } from "@homecam/shared";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { loadDeviceSigningKeys } from "../../../src/lan-pairing/device-signing-key.js";
import { LocalTokenSigner } from "../../../src/lan-pairing/local-token-signer.js";
import { LOCAL_PIN_TTL_MS } from "../../../src/lan-pairing/pin-sessions.js";
import { tempDir } from "../capture/helpers.js";
import { runCli } from "../cli-helpers.js";
import { type LocalAgent, startLocalAgent } from "./local-agent.js";

// LAN pairing with the cloud disabled, real parts end to end: the `homecam` CLI asks the running
// agent's control socket for a PIN, a viewer claims it over HTTP, and the device-signed token
// opens a route behind the auth gate.

describe("homecam pair --local (cloud disabled)", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let config: string;
  let agent: LocalAgent;
  let clock = Date.now();

  beforeAll(async () => {
    dir = await tempDir("lan-pairing");
    config = `${dir.path}/agent.yaml`;
    const { writeFile } = await import("node:fs/promises");
    await writeFile(config, `stateDir: ${JSON.stringify(`${dir.path}/state`)}\ncloud: { enabled: false }\n`);
    agent = await startLocalAgent(`${dir.path}/state`, { now: () => clock });
  });
  afterAll(async () => {
    await agent?.stop();
    await dir?.remove();
  });

  it("CLI → PIN → claim → the token opens a gated route; refresh renews it; no token → 401", async () => {
    const r = await runCli(["pair", "--local", "--json", "--config", config]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const session = JSON.parse(r.stdout) as { pin: string; url: string; expiresAt: string };
    expect(session.pin).toMatch(/^\d{6}$/);
    expect(session.url).toBe(`${agent.url}/pair?local=1`);

    expect((await agent.whoami("not-a-token")).status).toBe(401);
    const claim = await agent.post("/api/local/pair", { pin: session.pin, name: "Kitchen tablet" });
    expect(claim.status).toBe(201);
    const data = claim.body.data;
    expect(data?.deviceId).toBe(agent.identity.deviceId);
    expect(data?.role).toBe("owner"); // nobody owned the device yet
    const who = await agent.whoami(data?.token ?? "");
    expect(who).toEqual({ status: 200, body: { userId: data?.viewerId, role: "owner" } });

    const renewed = await agent.post("/api/local/refresh", {
      viewerId: data?.viewerId,
      refreshSecret: data?.refreshSecret,
    });
    expect(renewed.status).toBe(200);
    expect((await agent.whoami(renewed.body.data?.token ?? "")).status).toBe(200);
    const wrongSecret = await agent.post("/api/local/refresh", {
      viewerId: data?.viewerId,
      refreshSecret: "A".repeat(43),
    });
    expect(wrongSecret.status).toBe(401);

    // Single use: the PIN is spent.
    const again = await agent.post("/api/local/pair", { pin: session.pin });
    expect(again.body.error?.code).toBe("E_GONE");
  });

  it("the second viewer is a viewer, not an owner", async () => {
    const { pin } = await agent.control.start();
    const claim = await agent.post("/api/local/pair", { pin });
    expect(claim.body.data?.role).toBe("viewer");
  });

  it("five wrong PINs burn the session: the right one is refused after", async () => {
    const { pin } = await agent.control.start();
    const wrong = pin === "000000" ? "000001" : "000000";
    for (let i = 0; i < 5; i++) {
      const r = await agent.post("/api/local/pair", { pin: wrong });
      expect(r.status).toBe(401);
    }
    const r = await agent.post("/api/local/pair", { pin });
    expect(r.status).toBe(410);
    expect(r.body.error?.code).toBe("E_GONE");
  });

  it("an expired session is refused (injected clock)", async () => {
    const { pin } = await agent.control.start();
    clock += LOCAL_PIN_TTL_MS;
    const r = await agent.post("/api/local/pair", { pin });
    expect(r.body.error?.code).toBe("E_GONE");
  });

  it("two concurrent claims of the same PIN: exactly one wins", async () => {
    const { pin } = await agent.control.start();
    const results = await Promise.all([
      agent.post("/api/local/pair", { pin, name: "a" }),
      agent.post("/api/local/pair", { pin, name: "b" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 410]);
  });

  it("refuses a token signed by another key, or signed by this device for another device", async () => {
    const { pin } = await agent.control.start();
    const good = (await agent.post("/api/local/pair", { pin })).body.data;
    const iss = `device:${agent.identity.deviceId}`;
    const { privateKey: otherKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await new SignJWT({ role: "owner" })
      .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: iss })
      .setIssuer(iss)
      .setAudience(agent.identity.deviceId)
      .setSubject(good?.viewerId ?? "")
      .setIssuedAt(Math.floor(clock / 1000))
      .setExpirationTime(Math.floor(clock / 1000) + 600)
      .sign(otherKey);
    expect((await agent.whoami(forged)).status).toBe(401);

    // Another device's own token (its key, its audience) does not open this one.
    const other = await loadOrCreateDeviceIdentity(`${dir.path}/other-device`);
    const otherSigner = new LocalTokenSigner({
      deviceId: other.deviceId,
      privateKey: (await loadDeviceSigningKeys(other)).privateKey,
      now: () => clock,
    });
    const foreign = await otherSigner.sign({ id: good?.viewerId ?? "", role: "owner" });
    expect((await agent.whoami(foreign.token)).status).toBe(401);
    // This device's key, but for the other device's audience.
    const ownKey = (await loadDeviceSigningKeys(agent.identity)).privateKey;
    const misaddressed = await new LocalTokenSigner({
      deviceId: other.deviceId,
      privateKey: ownKey,
      now: () => clock,
    }).sign({ id: good?.viewerId ?? "", role: "owner" });
    expect((await agent.whoami(misaddressed.token)).status).toBe(401);
    expect((await agent.whoami(good?.token ?? "")).status).toBe(200);
  });

  it("homecam viewers revoke: the viewer's token and refresh secret stop working", async () => {
    const { pin } = await agent.control.start();
    const viewer = (await agent.post("/api/local/pair", { pin, name: "Old phone" })).body.data;
    expect((await agent.whoami(viewer?.token ?? "")).status).toBe(200);
    clock += 60_000; // revocation is later than the token's iat by more than the skew allowance

    const revoked = await runCli(["viewers", "revoke", viewer?.viewerId ?? "", "--config", config]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked ${viewer?.viewerId}.\n`);
    expect((await agent.whoami(viewer?.token ?? "")).status).toBe(401);
    const refresh = await agent.post("/api/local/refresh", {
      viewerId: viewer?.viewerId,
      refreshSecret: viewer?.refreshSecret,
    });
    expect(refresh.status).toBe(401);

    const list = await runCli(["viewers", "list", "--json", "--config", config]);
    const viewers = JSON.parse(list.stdout) as { id: string; name: string; revokedAt: number | null }[];
    expect(viewers.find((v) => v.id === viewer?.viewerId)?.revokedAt).toBe(clock);
    expect(viewers.find((v) => v.name === "Kitchen tablet")?.revokedAt).toBeNull();

    const unknown = await runCli(["viewers", "revoke", "lv_nope", "--config", config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no local viewer lv_nope");
  });
});

describe("local pairing rate limit", () => {
  it("answers 429 past the per-address limit, before looking at the PIN", async () => {
    const dir = await tempDir("lan-pairing-rate");
    const agent = await startLocalAgent(dir.path, { perMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await agent.post("/api/local/pair", { pin: "123456" })).status);
      expect(statuses).toEqual([410, 410, 410, 429]);
    } finally {
      await agent.stop();
      await dir.remove();
    }
  });
});
