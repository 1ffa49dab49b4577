import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadOrCreatePinSecret, PIN_HMAC_KEY_FILE } from "../../../src/pairing/pin-secret.js";

describe("loadOrCreatePinSecret", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "homecam-pin-key-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("creates 32 random bytes (0600 file, 0700 directory) once; concurrent starts agree on one key", async () => {
    const dir = await tempDir();
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadOrCreatePinSecret(dir)));
    expect(keys[0]).toHaveLength(32);
    for (const k of keys) expect(k.equals(keys[0] as Buffer)).toBe(true);
    expect((await stat(join(dir, "keys", PIN_HMAC_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "keys"))).mode & 0o777).toBe(0o700);
    expect((await loadOrCreatePinSecret(dir)).equals(keys[0] as Buffer)).toBe(true);
    const other = await loadOrCreatePinSecret(await tempDir());
    expect(other.equals(keys[0] as Buffer)).toBe(false);
  });

  it("refuses a key file shorter than 32 bytes", async () => {
    const dir = await tempDir();
    await loadOrCreatePinSecret(dir);
    await writeFile(join(dir, "keys", PIN_HMAC_KEY_FILE), `${Buffer.alloc(16).toString("base64url")}\n`);
    await expect(loadOrCreatePinSecret(dir)).rejects.toThrow(/at least 32 bytes/);
  });
});
