import { z } from "zod";
import { type ErrorCode, errorCodeSchema } from "./errors.js";

/** A successful REST response: `{ ok: true, data, message? }` (the seed's envelope). */
export interface ApiOk<T> {
  ok: true;
  data: T;
  message?: string;
}

/** The `error` member of a failed REST response. */
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** A failed REST response: `{ ok: false, error: { code, message, details? } }`. */
export interface ApiFail {
  ok: false;
  error: ApiErrorBody;
}

/** Either envelope; narrow on `ok`. */
export type ApiEnvelope<T> = ApiOk<T> | ApiFail;

// Envelopes are parsed with plain (stripping) objects, not strict ones: a newer server may add
// members, and an older viewer must keep working.

/** Schema of a successful envelope wrapping `dataSchema`. */
export function okEnvelopeSchema<T extends z.ZodType>(dataSchema: T) {
  return z.object({
    ok: z.literal(true),
    data: dataSchema,
    message: z.string().optional().describe("Human-readable note for the user; never needed to act."),
  });
}

/** Schema of the `error` member of a failed envelope. */
export const errorBodySchema = z.object({
  code: errorCodeSchema,
  message: z.string().describe("Human-readable explanation; clients branch on `code`, not on this."),
  details: z.unknown().optional().describe("Extra information, e.g. validation issues."),
});

/** Schema of a failed envelope. */
export const errorEnvelopeSchema = z.object({
  ok: z.literal(false),
  error: errorBodySchema,
});

/** Schema of either envelope for a response whose data is `dataSchema`. */
export function envelopeSchema<T extends z.ZodType>(dataSchema: T) {
  return z.discriminatedUnion("ok", [okEnvelopeSchema(dataSchema), errorEnvelopeSchema]);
}

/** Builds a successful envelope. `message` is omitted from the object when not given. */
export function ok<T>(data: T, message?: string): ApiOk<T> {
  return message === undefined ? { ok: true, data } : { ok: true, data, message };
}

/** Builds a failed envelope. `details` is omitted from the object when not given. */
export function fail(code: ErrorCode, message: string, details?: unknown): ApiFail {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}
