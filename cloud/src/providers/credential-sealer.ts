import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readOrCreateSecretFile } from "../security/secret-files.js";

// Provider credentials at rest: AES-256-GCM under a 32-byte key that lives outside the database
// (systemd's credentials directory, or a 0600 file in the state directory), so a copy of the
// database alone reveals no bucket's secret.

const KEY_FILE = "storage-key";
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key as written to a file: raw 32 bytes, 64 hex digits, or base64/base64url of 32 bytes. */
export function parseStorageKey(content: Buffer): Buffer {
  if (content.length === 32) return content;
  const text = content.toString("utf8").trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64url");
  if (key.length !== 32) throw new Error("the storage key must be 32 bytes (raw, hex or base64)");
  return key;
}

/**
 * The credentials key: `$CREDENTIALS_DIRECTORY/storage-key` when systemd provides a credentials
 * directory, else `<stateDir>/storage-key`, created (mode 0600) on first use.
 */
export async function loadStorageKey(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Buffer> {
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials) return parseStorageKey(await readFile(join(credentials, KEY_FILE)));
  const text = await readOrCreateSecretFile(join(stateDir, KEY_FILE), async () =>
    randomBytes(32).toString("base64url"),
  );
  return parseStorageKey(Buffer.from(text, "utf8"));
}

/** Seals and opens small JSON secrets: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export class CredentialSealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError("AES-256-GCM needs a 32-byte key");
    this.key = Buffer.from(key);
  }

  seal(value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    // The version is authenticated too: a sealed value cannot be replayed under another format.
    cipher.setAAD(Buffer.from(VERSION));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url"));
    return [VERSION, ...parts].join(".");
  }

  /** The sealed value; throws on a foreign key, a tampered value or an unknown format. */
  open(sealed: string): unknown {
    const [version, iv, tag, body, ...rest] = sealed.split(".");
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length) {
      throw new Error("unknown sealed credentials format");
    }
    const ivBytes = Buffer.from(iv, "base64url");
    const tagBytes = Buffer.from(tag, "base64url");
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new Error("malformed sealed credentials");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key, ivBytes);
    decipher.setAAD(Buffer.from(VERSION));
    decipher.setAuthTag(tagBytes);
    const plain = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as unknown;
  }
}
