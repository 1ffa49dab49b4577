import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// App-lock PINs are 4–8 digits: at most 10^8 candidates, so no hash makes a stolen database safe
// against a determined offline search. scrypt with a per-PIN salt still makes each guess cost
// ~50 ms and 32 MiB, turning "instant" into CPU-years for the 8-digit space, and keeps equal PINs
// of different users unrelated. The parameters are stored with the hash, so they can be raised
// later without invalidating PINs already set.

/** log2(N), r and p for new PIN hashes. */
export const PIN_SCRYPT = { logN: 15, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function options(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN;
  // Node refuses when 128·N·r reaches maxmem (32 MiB by default); leave headroom.
  return { N, r, p, maxmem: 256 * N * r };
}

/** `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>` for `pin`. */
export async function hashPin(
  pin: string,
  params: { logN: number; r: number; p: number } = PIN_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, options(params.logN, params.r, params.p));
  return [
    "scrypt",
    params.logN,
    params.r,
    params.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

/** True when `pin` matches a hash made by {@link hashPin}; false for a malformed hash. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((n) => Number.isInteger(n) && n > 0) || logN > 20) return false;
  const expected = Buffer.from(parts[5] ?? "", "base64url");
  if (expected.length !== KEY_LEN) return false;
  const key = await scryptAsync(pin, Buffer.from(parts[4] ?? "", "base64url"), options(logN, r, p));
  return timingSafeEqual(key, expected);
}
