import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// Passwords are hashed with the standard library's scrypt at ASVS 5.0 Appendix C's floor for p=1:
// N=2^17, r=8 (128 MiB per hash, ~0.37 s on the reference box). Node's default maxmem (32 MiB)
// refuses these parameters (nodejs/node#21524), so it is raised. The hash is stored as a
// self-describing string, `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<key b64url>`, so parameters can
// be raised later: a login with an older hash re-hashes (`needsRehash`).

export interface ScryptParams {
  /** log2(N). */
  logN: number;
  r: number;
  p: number;
}

/** Parameters for new password hashes. */
export const PASSWORD_SCRYPT: Readonly<ScryptParams> = { logN: 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAX_LOG_N = 20;

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses other parameters than the current ones: store a new hash. */
  needsRehash: boolean;
}

/** A parsed stored hash. */
export interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

/** Parse `scrypt$…`; null when malformed or out of the accepted range. */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > MAX_LOG_N || r > 32 || p > 16) {
    return null;
  }
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const key = Buffer.from(parts[5] ?? "", "base64url");
  if (salt.length < SALT_BYTES || key.length !== KEY_BYTES) return null;
  return { logN, r, p, salt, key };
}

/**
 * Hashes and verifies passwords. scrypt runs on libuv's thread pool (asynchronous), so a hash never
 * blocks the event loop; callers rate-limit *before* hashing, since each hash costs ~0.4 s of CPU.
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  /** `params` lower than PASSWORD_SCRYPT only in tests that do not check the parameters. */
  constructor(readonly params: Readonly<ScryptParams> = PASSWORD_SCRYPT) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(normalize(password), salt, this.params);
    const { logN, r, p } = this.params;
    return ["scrypt", logN, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const parsed = parsePasswordHash(stored);
    if (!parsed) {
      // Same cost as a real check, so a broken row does not stand out by timing.
      await this.burn(password);
      return { ok: false, needsRehash: false };
    }
    const key = await derive(normalize(password), parsed.salt, parsed);
    const ok = timingSafeEqual(key, parsed.key);
    const { logN, r, p } = this.params;
    return { ok, needsRehash: ok && (parsed.logN !== logN || parsed.r !== r || parsed.p !== p) };
  }

  /**
   * Spend the time of one verification against a hash of a random password: used when the e-mail
   * is unknown or the account has no password, so the response time does not tell whether an
   * account exists (ASVS 5.0 6.3.8).
   */
  async burn(password: string): Promise<void> {
    if (!this.dummy) {
      // The first time, making the dummy hash is itself the one derivation to spend.
      this.dummy = this.hash(randomBytes(18).toString("base64url"));
      await this.dummy;
      return;
    }
    const parsed = parsePasswordHash(await this.dummy);
    if (parsed) await derive(normalize(password), parsed.salt, parsed);
  }
}

/**
 * NFKC, so the same passphrase typed on two keyboards (composed vs decomposed accents, full-width
 * digits) is the same password (NIST SP 800-63B §5.1.1.2).
 */
function normalize(password: string): string {
  return password.normalize("NFKC");
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // scrypt needs 128·N·r bytes (plus a little); leave headroom. 256 MiB at the default parameters.
  const opts: ScryptOptions = { N, r: params.r, p: params.p, maxmem: Math.max(256 * N * params.r, 32 << 20) };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
