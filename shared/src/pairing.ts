import { z } from "zod";
import { ApiError } from "./errors.js";

// The pairing QR encodes a URL to the viewer's claim page:
//   `${viewerBaseUrl}/pair#pid=<pairingId>&pin=<pin>`
// Both values travel in the fragment, which browsers never send to the server (RFC 3986 §3.5), so
// the secrets do not land in access logs, proxies or the Referer header. The claim page reads
// them from `location.hash` and posts them to `/api/connection/establish`.

/** Pairing id: base64url, ≥ 22 chars (≥ 128 random bits), ≤ 64. */
export const PAIRING_ID_RE = /^[A-Za-z0-9_-]{22,64}$/;
/** PIN: exactly six ASCII digits (leading zeros allowed, hence a string). */
export const PIN_RE = /^[0-9]{6}$/;

/** zod schema of a pairing id. */
export const pairingIdSchema = z.string().regex(PAIRING_ID_RE).describe("Pairing session id, base64url.");
/** zod schema of a pairing PIN. */
export const pinSchema = z.string().regex(PIN_RE).describe("Six-digit pairing PIN.");

/** The secrets a pairing URL carries. */
export interface PairingSecrets {
  pairingId: string;
  pin: string;
}

/** `POST /api/qr/generate` response data: what the agent shows (PIN) and encodes (url). */
export const pairingSessionSchema = z.object({
  pairingId: pairingIdSchema,
  pin: pinSchema,
  url: z.url({ protocol: /^https?$/ }).describe("Claim page URL to encode in the QR code."),
  expiresAt: z.iso.datetime({ offset: true }).describe("When the session stops accepting claims (ISO 8601)."),
});

/** A pairing session as returned by the cloud. */
export type PairingSession = z.output<typeof pairingSessionSchema>;

/** Path of the claim page below the viewer's base URL. */
export const PAIRING_PATH = "/pair";

// Longer than any URL we build; bounds the work for arbitrary scanned QR codes.
const MAX_PAIRING_URL_LENGTH = 2048;

/**
 * Builds the claim URL. `viewerBaseUrl` is an http(s) URL without query or fragment; a trailing
 * slash is ignored. Throws `ApiError` (`E_VALIDATION`) on an invalid base, id or PIN.
 */
export function buildPairingUrl(viewerBaseUrl: string, secrets: PairingSecrets): string {
  let base: URL;
  try {
    base = new URL(viewerBaseUrl);
  } catch (err) {
    throw new ApiError("E_VALIDATION", "viewer base URL is not a valid URL", undefined, { cause: err });
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new ApiError("E_VALIDATION", "viewer base URL must be http or https");
  }
  if (base.search !== "" || base.hash !== "" || viewerBaseUrl.includes("#") || viewerBaseUrl.includes("?")) {
    throw new ApiError("E_VALIDATION", "viewer base URL must not have a query or fragment");
  }
  if (!PAIRING_ID_RE.test(secrets.pairingId) || !PIN_RE.test(secrets.pin)) {
    throw new ApiError("E_VALIDATION", "invalid pairing id or PIN");
  }
  const root = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  // Both values are from URL-safe alphabets, so no escaping is needed.
  return `${root}${PAIRING_PATH}#pid=${secrets.pairingId}&pin=${secrets.pin}`;
}

function secretsFrom(params: string): PairingSecrets | null {
  const search = new URLSearchParams(params);
  const pids = search.getAll("pid");
  const pins = search.getAll("pin");
  // A repeated parameter is ambiguous: refuse rather than guess which one the user meant.
  if (pids.length !== 1 || pins.length !== 1) return null;
  const [pairingId] = pids;
  const [pin] = pins;
  if (pairingId === undefined || pin === undefined) return null;
  return PAIRING_ID_RE.test(pairingId) && PIN_RE.test(pin) ? { pairingId, pin } : null;
}

/**
 * Extracts `{ pairingId, pin }` from a scanned or pasted claim URL: from the fragment
 * (`#pid=…&pin=…`, what {@link buildPairingUrl} makes) or else from the query (`?pid=…&pin=…`).
 * Both values must come from the same place. Returns null for anything else; never throws.
 */
export function parsePairingUrl(url: string): PairingSecrets | null {
  try {
    if (typeof url !== "string" || url.length > MAX_PAIRING_URL_LENGTH) return null;
    const parsed = new URL(url.trim());
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
    return secretsFrom(parsed.hash.slice(1)) ?? secretsFrom(parsed.search.slice(1));
  } catch {
    return null;
  }
}
