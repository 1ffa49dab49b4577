import { createHmac, timingSafeEqual } from "node:crypto";

/** What an fs media URL grants: one method on one key until `exp`, with its signed extras. */
export interface FsUrlClaims {
  method: "GET" | "PUT";
  key: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** PUT: the exact body length allowed, when the presigner knew it. */
  contentLength?: number | undefined;
  /** GET: the download file name offered in Content-Disposition. */
  downloadName?: string | undefined;
}

/**
 * The canonical string a signature covers. Fields are newline-separated and none may contain a
 * newline (keys and names are validated), so two different claims never share a string; the
 * method is included so a GET URL cannot be replayed as a PUT.
 */
function canonical(c: FsUrlClaims): string {
  return [c.method, c.key, String(c.exp), c.contentLength ?? "", c.downloadName ?? ""].join("\n");
}

/** HMAC-SHA256 of the claims, base64url (43 chars). */
export function signFsUrl(secret: Buffer, claims: FsUrlClaims): string {
  return createHmac("sha256", secret).update(canonical(claims)).digest("base64url");
}

/** True when `sig` is the signature of `claims` (constant-time comparison). Expiry is not checked here. */
export function verifyFsUrl(secret: Buffer, claims: FsUrlClaims, sig: string): boolean {
  const expected = Buffer.from(signFsUrl(secret, claims), "utf8");
  const given = Buffer.from(sig, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
