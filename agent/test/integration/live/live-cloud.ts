import { cloudConfigSchema, LAN_TOKEN_TYP } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { SignJWT } from "jose";
import { loadOrCreateSigningKey, type SigningKey } from "../../../../cloud/src/auth/signing-key.js";
import { type RunningCloud, startCloud } from "../../../../cloud/src/main.js";
import { CLOUD_DEVICE_AUDIENCE } from "../../../src/cloud/cloud-api.js";
import type { DeviceIdentity } from "../../../src/identity/device-identity.js";
import { tempDir } from "../capture/helpers.js";

// A real cloud (SQLite, embedded broker) for the live tests on the agent: users sign up, claim a
// device with a PIN as a phone would, and get LAN tokens from `POST /api/devices/:id/lan-token`.

export const LIVE_CLOUD_ISSUER = "https://cloud.live-lan.test";

export interface CloudUser {
  id: string;
  accessToken: string;
}

export interface LiveCloud {
  url: string;
  mqttUrl: string;
  /** The cloud's access-token key: forges tokens only the test could make (expired ones). */
  key: SigningKey;
  signUp(label: string): Promise<CloudUser>;
  /** Pairs `device` to `user` (the first claimer becomes its owner). */
  claim(device: DeviceIdentity, user: CloudUser): Promise<void>;
  lanToken(deviceId: string, user: CloudUser): Promise<string>;
  /** The owner revokes a viewer's grant: the cloud pushes `grants.revoked` to the device. */
  revokeGrant(deviceId: string, owner: CloudUser, viewerId: string): Promise<void>;
  /** A LAN token signed with the cloud's real key, already expired. */
  expiredLanToken(deviceId: string, userId: string): Promise<string>;
  /** Stops the cloud process's servers and database (idempotent). */
  stop(): Promise<void>;
  /** Stops it and removes its state directory. */
  close(): Promise<void>;
}

async function call(base: string, method: string, path: string, auth?: string, body?: unknown) {
  const res = await fetch(base + path, {
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

export async function startLiveCloud(log: Logger): Promise<LiveCloud> {
  const dir = await tempDir("live-cloud");
  const config = cloudConfigSchema.parse({
    stateDir: dir.path,
    http: { port: 0 },
    mqtt: { port: 0, host: "127.0.0.1" },
    auth: { issuer: LIVE_CLOUD_ISSUER },
  });
  const cloud: RunningCloud = await startCloud({ config, log });
  const key = await loadOrCreateSigningKey(dir.path);
  const url = cloud.url;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= cloud.stop();
    return stopped;
  };
  return {
    url,
    mqttUrl: `mqtt://127.0.0.1:${cloud.mqtt.port}`,
    key,
    async signUp(label) {
      const data = await call(url, "POST", "/api/auth/register", undefined, {
        email: `${label}-${Date.now()}@live-lan.test`,
        password: "correct horse battery staple",
        name: label,
        agreeTerms: true,
        agreePrivacy: true,
      });
      return { id: (data.user as { id: string }).id, accessToken: data.accessToken as string };
    },
    async claim(device, user) {
      const auth = `Bearer ${await device.signDeviceToken({ aud: CLOUD_DEVICE_AUDIENCE })}`;
      const { pairingId, pin } = await call(url, "POST", "/api/qr/generate", auth, {});
      await call(url, "POST", "/api/connection/establish", `Bearer ${user.accessToken}`, { pairingId, pin });
    },
    async lanToken(deviceId, user) {
      const path = `/api/devices/${deviceId}/lan-token`;
      return (await call(url, "POST", path, `Bearer ${user.accessToken}`)).token as string;
    },
    async revokeGrant(deviceId, owner, viewerId) {
      await call(url, "DELETE", `/api/devices/${deviceId}/grants/${viewerId}`, `Bearer ${owner.accessToken}`);
    },
    expiredLanToken(deviceId, userId) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ role: "viewer" })
        .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: key.kid })
        .setIssuer(LIVE_CLOUD_ISSUER)
        .setAudience(deviceId)
        .setSubject(userId)
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(key.privateKey);
    },
    stop,
    async close() {
      await stop();
      await dir.remove();
    },
  };
}
