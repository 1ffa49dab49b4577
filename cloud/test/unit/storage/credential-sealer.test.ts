import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CredentialSealer,
  loadStorageKey,
  parseStorageKey,
} from "../../../src/providers/credential-sealer.js";

// Provider credentials at rest: AES-256-GCM, versioned format, key from systemd's credentials
// directory or a 0600 file in the state directory.

const secret = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" };

describe("credential sealer", () => {
  const sealer = new CredentialSealer(Buffer.alloc(32, 3));

  it("round-trips JSON as v1.<iv>.<tag>.<ciphertext> without the plaintext in it", () => {
    const sealed = sealer.seal(secret);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("wJalr");
    expect(sealer.open(sealed)).toEqual(secret);
    // A fresh IV every time: the same secret never seals to the same text.
    expect(sealer.seal(secret)).not.toBe(sealed);
  });

  it("refuses a tampered value, another key's value and unknown formats", () => {
    const sealed = sealer.seal(secret);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString("base64url")].join(".");
    expect(() => sealer.open(tampered)).toThrow();
    expect(() => new CredentialSealer(Buffer.alloc(32, 4)).open(sealed)).toThrow();
    expect(() => sealer.open(sealed.replace(/^v1/, "v2"))).toThrow(/format/);
    expect(() => sealer.open(`${sealed}.x`)).toThrow(/format/);
    expect(() => sealer.open("v1.AAAA.BBBB.CCCC")).toThrow(/malformed/);
    expect(() => new CredentialSealer(Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe("storage key", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hc-storage-key-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is created once in the state directory with mode 0600", async () => {
    const key = await loadStorageKey(dir, {});
    expect(key).toHaveLength(32);
    const file = join(dir, "storage-key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadStorageKey(dir, {})).toEqual(key);
    expect(parseStorageKey(await readFile(file))).toEqual(key);
  });

  it("comes from $CREDENTIALS_DIRECTORY when set (raw, hex or base64) and nothing is written", async () => {
    const creds = join(dir, "creds");
    const state = join(dir, "state");
    const key = randomBytes(32);
    for (const content of [
      key,
      Buffer.from(key.toString("hex")),
      Buffer.from(`${key.toString("base64")}\n`),
    ]) {
      await rm(creds, { recursive: true, force: true });
      await mkdir(creds);
      await writeFile(join(creds, "storage-key"), content);
      expect(await loadStorageKey(state, { CREDENTIALS_DIRECTORY: creds })).toEqual(key);
    }
    await expect(stat(join(state, "storage-key"))).rejects.toThrow();
    await writeFile(join(creds, "storage-key"), "too short");
    await expect(loadStorageKey(state, { CREDENTIALS_DIRECTORY: creds })).rejects.toThrow(/32 bytes/);
  });
});
