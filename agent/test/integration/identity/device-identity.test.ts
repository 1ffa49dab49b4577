import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEVICE_KEY_FILE,
  DeviceIdentityError,
  loadOrCreateDeviceIdentity,
} from "../../../src/identity/device-identity.js";

describe("device identity", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "homecam-identity-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates an Ed25519 key file with mode 0600 and keeps the same id across restarts", async () => {
    const first = await loadOrCreateDeviceIdentity(dir);
    const st = await stat(join(dir, DEVICE_KEY_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect(first.deviceId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.deviceId).toBe(await calculateJwkThumbprint(first.publicJwk, "sha256"));
    const second = await loadOrCreateDeviceIdentity(dir);
    expect(second.deviceId).toBe(first.deviceId);
    const file = JSON.parse(await readFile(first.keyFile, "utf8")) as { jwk: { d?: string } };
    expect(typeof file.jwk.d).toBe("string");
  });

  it("agrees on one key when several starts race on an empty directory", async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, async () => (await loadOrCreateDeviceIdentity(dir)).deviceId),
    );
    expect(new Set(ids).size).toBe(1);
  });

  it("refuses a key file readable by group or others and says how to fix it", async () => {
    const identity = await loadOrCreateDeviceIdentity(dir);
    await chmod(identity.keyFile, 0o644);
    const err = await loadOrCreateDeviceIdentity(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceIdentityError);
    expect((err as Error).message).toContain(`chmod 600 '${identity.keyFile}'`);
    await chmod(identity.keyFile, 0o600);
    expect((await loadOrCreateDeviceIdentity(dir)).deviceId).toBe(identity.deviceId);
  });

  it("refuses a corrupt key file instead of silently creating a new identity", async () => {
    await writeFile(join(dir, DEVICE_KEY_FILE), "{not json", { mode: 0o600 });
    await expect(loadOrCreateDeviceIdentity(dir)).rejects.toBeInstanceOf(DeviceIdentityError);
  });

  it("signs a short EdDSA device token with the public JWK in its header", async () => {
    const identity = await loadOrCreateDeviceIdentity(dir);
    const now = Math.floor(Date.now() / 1000);
    const token = await identity.signDeviceToken({ aud: "homecam-cloud", ttlSeconds: 60, now });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("EdDSA");
    expect(header.jwk).toEqual({ kty: "OKP", crv: "Ed25519", x: identity.publicJwk.x });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: identity.deviceId,
      sub: identity.deviceId,
      aud: "homecam-cloud",
      typ: "device",
      iat: now,
      exp: now + 60,
    });
    expect(typeof claims.jti).toBe("string");
    const key = await importJWK({ ...identity.publicJwk }, "EdDSA");
    await expect(jwtVerify(token, key, { audience: "homecam-cloud" })).resolves.toBeTruthy();
    const other = await identity.signDeviceToken({ aud: "homecam-cloud" });
    expect(decodeJwt(other).jti).not.toBe(claims.jti);
  });

  it("refuses a lifetime over 300 s", async () => {
    const identity = await loadOrCreateDeviceIdentity(dir);
    await expect(identity.signDeviceToken({ aud: "x", ttlSeconds: 301 })).rejects.toThrow(RangeError);
    await expect(identity.signDeviceToken({ aud: "x", ttlSeconds: 0 })).rejects.toThrow(RangeError);
  });
});
