import { stat } from "node:fs/promises";
import { join } from "node:path";
import { cloudConfigSchema, LAN_TOKEN_TYP } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { Router } from "express";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ephemeralSigningKey,
  loadOrCreateSigningKey,
  type SigningKey,
} from "../../../../cloud/src/auth/signing-key.js";
import { type RunningCloud, startCloud } from "../../../../cloud/src/main.js";
import { CLOUD_DEVICE_AUDIENCE } from "../../../src/cloud/cloud-api.js";
import { CommandHandler } from "../../../src/cloud/command-handler.js";
import { principalOf } from "../../../src/http/auth-gate.js";
import { createLanApp } from "../../../src/http/lan-app.js";
import { LanServer } from "../../../src/http/lan-server.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { JWKS_CACHE_FILE } from "../../../src/lan-auth/jwks-cache.js";
import { createLanAuth, type LanAuth } from "../../../src/lan-auth/lan-auth.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { tempDir } from "../capture/helpers.js";

// LAN tokens end to end with real parts: a real cloud issues them, a real agent LAN server (auth
// gate + LanAuth) checks them — while the cloud runs, after it stopped, and in a fresh agent
// started with the cloud down, from the cached JWKS alone.

const ISSUER = "https://cloud.lan-auth.test";
const log = createLogger({ name: "test", level: "silent" });

interface User {
  id: string;
  token: string;
}

async function api(url: string, method: string, path: string, auth?: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(auth && { authorization: auth }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as { ok: boolean; data: Record<string, unknown> };
  if (!json.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function register(url: string, label: string): Promise<User> {
  const data = await api(url, "POST", "/api/auth/register", undefined, {
    email: `${label}-${Date.now()}@lan-auth.test`,
    password: "correct horse battery staple",
    name: label,
    agreeTerms: true,
    agreePrivacy: true,
  });
  return { id: (data.user as { id: string }).id, token: data.accessToken as string };
}

async function claim(url: string, identity: DeviceIdentity, user: User): Promise<void> {
  const device = `Bearer ${await identity.signDeviceToken({ aud: CLOUD_DEVICE_AUDIENCE })}`;
  const { pairingId, pin } = await api(url, "POST", "/api/qr/generate", device, {});
  await api(url, "POST", "/api/connection/establish", `Bearer ${user.token}`, { pairingId, pin });
}

/** The agent side: store, LanAuth and the LAN server with one route behind the gate. */
async function startAgentSide(stateDir: string, cloudUrl: string, deviceId: string) {
  const store: AgentStore = await openAgentStore(stateDir, { log });
  const lanAuth: LanAuth = createLanAuth({ cloudUrl, issuer: ISSUER, deviceId, stateDir, db: store.db, log });
  const routes = Router().get("/whoami", (_req, res) => {
    res.json(principalOf(res));
  });
  const server = new LanServer({
    app: createLanApp({ version: "t", uptimeS: () => 0, verifyToken: lanAuth.verifyToken, log, routes }),
    host: "127.0.0.1",
    port: 0,
    log,
  });
  const signal = new AbortController().signal;
  await lanAuth.module.start(signal);
  await server.start(signal);
  return {
    lanAuth,
    store,
    /** Status of `GET /whoami` with `token`, and the principal when 200. */
    async whoami(token: string): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${server.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await server.stop();
      await lanAuth.module.stop();
      await store.close();
    },
  };
}
type AgentSide = Awaited<ReturnType<typeof startAgentSide>>;

describe("LAN tokens on the agent", () => {
  let cloudDir: Awaited<ReturnType<typeof tempDir>>;
  let agentDir: Awaited<ReturnType<typeof tempDir>>;
  let cloud: RunningCloud;
  let cloudStopped = false;
  let key: SigningKey;
  let identity: DeviceIdentity;
  let users: Record<"owner" | "viewer" | "other", User>;
  let tokens: Record<"owner" | "viewer" | "other", string>;
  let agent: AgentSide;

  beforeAll(async () => {
    cloudDir = await tempDir("lan-cloud");
    agentDir = await tempDir("lan-agent");
    const config = cloudConfigSchema.parse({
      stateDir: cloudDir.path,
      http: { port: 0 },
      mqtt: { port: 0 },
      auth: { issuer: ISSUER },
    });
    cloud = await startCloud({ config, log });
    key = await loadOrCreateSigningKey(cloudDir.path);
    identity = await loadOrCreateDeviceIdentity(agentDir.path);
    users = {
      owner: await register(cloud.url, "owner"),
      viewer: await register(cloud.url, "viewer"),
      other: await register(cloud.url, "other"),
    };
    const { owner, viewer, other } = users;
    for (const u of [owner, viewer, other]) await claim(cloud.url, identity, u);
    const issue = async (u: User) =>
      (await api(cloud.url, "POST", `/api/devices/${identity.deviceId}/lan-token`, `Bearer ${u.token}`))
        .token as string;
    tokens = { owner: await issue(owner), viewer: await issue(viewer), other: await issue(other) };
    agent = await startAgentSide(agentDir.path, cloud.url, identity.deviceId);
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    if (!cloudStopped) await cloud?.stop();
    await cloudDir?.remove();
    await agentDir?.remove();
  });

  /** A LAN token signed by the test with the cloud's real key; `claims` override the defaults. */
  async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      role: "owner",
      iss: ISSUER,
      aud: identity.deviceId,
      sub: users.owner.id,
      iat: now,
      exp: now + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: key.kid, ...header })
      .sign(key.privateKey);
  }

  it("opens a route behind the gate with a cloud-issued token, as that user and role", async () => {
    expect(await agent.whoami(tokens.owner)).toEqual({
      status: 200,
      body: { userId: users.owner.id, role: "owner" },
    });
    expect(await agent.whoami(tokens.viewer)).toEqual({
      status: 200,
      body: { userId: users.viewer.id, role: "viewer" },
    });
  });

  it("caches the cloud's JWKS in the state directory, readable by the agent only", async () => {
    const st = await stat(join(agentDir.path, JWKS_CACHE_FILE));
    expect(st.mode & 0o777).toBe(0o600);
  });

  it("refuses a token for another device, an expired one, a tampered one, alg none and HS256", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [h, p] = tokens.owner.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const sig = tokens.owner.split(".")[2] ?? "";
    const hs256 = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", typ: LAN_TOKEN_TYP, kid: key.kid })
      .sign(new TextEncoder().encode(key.publicJwk.x));
    const stranger = await ephemeralSigningKey();
    const refused: Record<string, string> = {
      "another key, unknown kid": await new SignJWT({ role: "owner", sub: users.owner.id })
        .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: stranger.kid })
        .setIssuer(ISSUER)
        .setAudience(identity.deviceId)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(stranger.privateKey),
      "forged control (valid)": await forge({}),
      "other device": await forge({ aud: "x".repeat(43) }),
      expired: await forge({ iat: now - 7200, exp: now - 3600 }),
      "not yet valid": await forge({ nbf: now + 3600 }),
      "wrong issuer": await forge({ iss: "https://evil.test" }),
      "access-token typ": await forge({}, { typ: "at+jwt" }),
      "unknown role": await forge({ role: "admin" }),
      tampered: `${h}.${b64({ ...payload, role: "owner", sub: users.other.id })}.${sig}`,
      "alg none": `${b64({ alg: "none", typ: LAN_TOKEN_TYP, kid: key.kid })}.${p}.`,
      hs256,
    };
    const got: Record<string, number> = {};
    for (const [what, token] of Object.entries(refused)) got[what] = (await agent.whoami(token)).status;
    expect(got).toEqual({
      ...Object.fromEntries(Object.keys(refused).map((k) => [k, 401])),
      "forged control (valid)": 200,
    });
  });

  it("honours a pushed revocation for that user only, and keeps it across a restart", async () => {
    // The command the cloud relays on a revoke, through the real handler, wired as main.ts does.
    const commands = new CommandHandler({ control: {} as never, log });
    commands.on("grantsRevoked", ({ userId }) => void agent.lanAuth.revoke(userId));
    const answer = await commands.handle("revoke-1", {
      name: "grants.revoked",
      args: { userId: users.viewer.id },
    });
    expect(answer.ok).toBe(true);
    await expect.poll(async () => (await agent.whoami(tokens.viewer)).status, { timeout: 3000 }).toBe(401);
    expect((await agent.whoami(tokens.other)).status).toBe(200);
    expect((await agent.whoami(tokens.owner)).status).toBe(200);
  });

  it("keeps verifying with the cloud stopped, and a fresh agent does so from the cache file", async () => {
    await cloud.stop();
    cloudStopped = true;
    expect((await agent.whoami(tokens.owner)).status).toBe(200);
    await agent.stop();
    agent = await startAgentSide(agentDir.path, cloud.url, identity.deviceId);
    expect(agent.lanAuth.jwks.size).toBe(1);
    expect(await agent.whoami(tokens.other)).toEqual({
      status: 200,
      body: { userId: users.other.id, role: "viewer" },
    });
    // The revocation was stored, not held in memory.
    expect((await agent.whoami(tokens.viewer)).status).toBe(401);
  });
});
