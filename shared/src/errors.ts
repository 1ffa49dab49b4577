import { z } from "zod";

/**
 * The REST error catalogue, in the seed's style (`{ ok: false, error: { code, message } }`).
 *
 * Rules (as in fastify's error catalogue): a code is stable, maps to exactly one HTTP status, and is
 * never reused for a different meaning once released — retire a code by leaving it here, unused.
 * Several codes may share a status. Clients branch on `code`, never on `message`.
 */
export const ERROR_CATALOGUE = {
  E_VALIDATION: {
    status: 400,
    description: "The request body, query or parameters failed schema validation.",
  },
  E_BAD_REQUEST: { status: 400, description: "The request is malformed (unparseable JSON, bad encoding)." },
  E_UNAUTHORIZED: { status: 401, description: "No valid credentials were presented." },
  E_TOKEN_EXPIRED: { status: 401, description: "The access token has expired; refresh it and retry." },
  E_FORBIDDEN: { status: 403, description: "The caller is authenticated but not allowed to do this." },
  E_NOT_FOUND: { status: 404, description: "The resource does not exist or is not visible to the caller." },
  E_METHOD_NOT_ALLOWED: { status: 405, description: "The path exists but does not accept this HTTP method." },
  E_CONFLICT: {
    status: 409,
    description: "The request conflicts with the current state (duplicate, race lost).",
  },
  E_GONE: {
    status: 410,
    description: "The resource existed but is no longer usable (expired pairing session).",
  },
  E_PAYLOAD_TOO_LARGE: { status: 413, description: "The request or message body exceeds the size limit." },
  E_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: "The Content-Type is not accepted by this endpoint.",
  },
  E_RATE_LIMITED: {
    status: 429,
    description: "Too many requests or attempts; retry after the advertised delay.",
  },
  E_INTERNAL: { status: 500, description: "An unexpected server error; details are in the server log." },
  // A device or camera that cannot do what was asked (PTZ on a fixed camera, a command an older
  // agent does not know). Distinct from E_VALIDATION: the request was well-formed.
  E_NOT_IMPLEMENTED: { status: 501, description: "The device or server does not support this operation." },
  // The object store (S3-compatible or a user's own bucket) is an upstream the cloud depends on.
  E_STORAGE_ERROR: { status: 502, description: "The storage provider failed or refused the operation." },
  E_DATABASE_ERROR: { status: 503, description: "The database is unavailable or failed; retry later." },
  E_DEVICE_OFFLINE: { status: 503, description: "The target device is not connected to the cloud." },
  // The relay waited for a device's answer (command, WebRTC answer) and gave up.
  E_TIMEOUT: { status: 504, description: "The device did not answer in time." },
} as const satisfies Record<string, { readonly status: number; readonly description: string }>;

/** A stable error code from {@link ERROR_CATALOGUE}. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The HTTP status a given code maps to (a literal type per code). */
export type HttpStatusFor<C extends ErrorCode> = (typeof ERROR_CATALOGUE)[C]["status"];

/** Every code in the catalogue, in declaration order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** zod enum of the catalogue's codes; rejects anything not in the catalogue. */
export const errorCodeSchema = z.enum(ERROR_CODES).describe("Stable error code from the error catalogue.");

/** True when `value` is a code in the catalogue (own keys only: `"toString"` is not a code). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CATALOGUE, value);
}

/** The HTTP status for `code`. */
export function httpStatusFor<C extends ErrorCode>(code: C): HttpStatusFor<C> {
  return ERROR_CATALOGUE[code].status;
}

/**
 * An error that carries a catalogue code; the HTTP error handler turns it into the error envelope
 * with {@link httpStatusFor}. `details` must be safe to show to the caller (e.g. validation issues);
 * put anything internal in `cause`, which is logged but never sent.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** Stable code from the catalogue. */
  readonly code: ErrorCode;
  /** HTTP status derived from `code`. */
  readonly status: number;
  /** Extra information safe to return to the client; absent (not `undefined`) when not given. */
  declare readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = httpStatusFor(code);
    if (details !== undefined) this.details = details;
  }
}
