import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadOrCreateVapidKeys, vapidKeysFile } from "../../../src/notifications/vapid-keys.js";

describe("VAPID keys", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "homecam-vapid-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("are generated once into <stateDir>/vapid-keys.json (0600) and reused", async () => {
    const [a, b] = await Promise.all([loadOrCreateVapidKeys(dir), loadOrCreateVapidKeys(dir)]);
    expect(a).toEqual(b);
    expect(Buffer.from(a.publicKey, "base64url")).toHaveLength(65);
    expect(Buffer.from(a.privateKey, "base64url")).toHaveLength(32);
    const file = vapidKeysFile(dir);
    expect(file).toBe(join(dir, "vapid-keys.json"));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateVapidKeys(dir)).toEqual(a);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(a);
  });

  it("refuse a file that is not a key pair", async () => {
    await writeFile(vapidKeysFile(dir), JSON.stringify({ publicKey: "x" }));
    await expect(loadOrCreateVapidKeys(dir)).rejects.toThrow(/not a VAPID key file/);
  });
});
