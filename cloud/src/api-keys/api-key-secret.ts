import { createHash, randomBytes } from "node:crypto";
import { API_KEY_SECRET_RE } from "@homecam/shared";

// Why plain SHA-256 and not scrypt (as for passwords): a secret is 32 bytes from the CSPRNG, so
// guessing one means searching 2^256 values, and no hash speed makes that feasible; a slow hash only
// protects *low-entropy* secrets (passwords, PINs) from dictionary search. A fast, unsalted digest
// also lets the verifier find the key by an indexed equality lookup instead of trying every key,
// and costs microseconds on a path that runs on every API-key request.

const PREFIX = "hc_";
/** Characters of the secret kept for display: "hc_" + 8 (48 bits: recognisable, useless to guess). */
const DISPLAY_LENGTH = PREFIX.length + 8;

/** A new secret: `hc_` + 32 random bytes in base64url (43 characters). */
export function generateApiKeySecret(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/** Whether `value` has the shape of a secret we issue (checked before any database work). */
export function looksLikeApiKeySecret(value: string): boolean {
  return API_KEY_SECRET_RE.test(value);
}

/** Hex SHA-256 of the secret, as stored in `api_keys.secret_hash`. */
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The part of a secret shown in key lists. */
export function apiKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_LENGTH);
}
