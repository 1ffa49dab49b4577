import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { keysDir, readOrCreateSecretFile } from "../security/secret-files.js";

// Pairing PINs have only 10^6 values, so a plain hash of one is reversed by trying them all. The
// database keeps an HMAC keyed with a secret that lives in the keys directory, not in the
// database: a leaked database dump (or backup) then reveals no live PIN.

/** File name of the PIN HMAC key below `<stateDir>/keys`. */
export const PIN_HMAC_KEY_FILE = "pairing-pin-hmac.key";

/** Read `<stateDir>/keys/pairing-pin-hmac.key`, creating 32 random bytes (base64url) on first use. */
export async function loadOrCreatePinSecret(stateDir: string): Promise<Buffer> {
  const file = join(await keysDir(stateDir), PIN_HMAC_KEY_FILE);
  const text = await readOrCreateSecretFile(file, async () => `${randomBytes(32).toString("base64url")}\n`);
  const secret = Buffer.from(text.trim(), "base64url");
  if (secret.length < 32) throw new Error(`${file}: expected at least 32 bytes of base64url`);
  return secret;
}

/** HMAC-SHA256 of a PIN under `secret`, lower-case hex: what `pairing_sessions.pin_hmac` holds. */
export function pinHmac(secret: Buffer, pin: string): string {
  return createHmac("sha256", secret).update(pin, "utf8").digest("hex");
}

/** Constant-time comparison of two hex HMACs (false when their lengths differ). */
export function sameHmac(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * HMACs PINs with a key loaded once, on first use (route modules are built synchronously, the key
 * file is read asynchronously). A failed load is retried on the next call rather than cached.
 */
export class PinHasher {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly load: () => Promise<Buffer>) {}

  async hash(pin: string): Promise<string> {
    this.key ??= this.load().catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return pinHmac(await this.key, pin);
  }
}

/** A six-digit PIN from the CSPRNG, zero-padded (every value equally likely). */
export function randomPin(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

/** A pairing id: 32 random bytes, base64url (43 characters, 256 bits). */
export function newPairingId(): string {
  return randomBytes(32).toString("base64url");
}
