import { z } from "zod";
import { epochMsSchema } from "../mqtt/bodies/common.js";

// Admin views and the keyset pagination every list shares: `?limit=&cursor=` in, `nextCursor`
// out. A cursor names the last row seen (`<createdAt>.<id>`), so rows inserted meanwhile neither
// repeat nor vanish between pages, unlike offsets.

const digits = (max: number) => z.string().regex(new RegExp(`^[0-9]{1,${max}}$`), "must be digits");

/** `?limit=` — page size 1–200, 50 unless told. */
export const pageLimitSchema = digits(3)
  .transform(Number)
  .pipe(z.int().min(1).max(200))
  .optional()
  .describe("Rows per page (1–200, default 50).");

/** A page cursor as decoded. */
export interface PageCursor {
  createdAt: number;
  id: string;
}

/** `?cursor=` — the previous page's `nextCursor`. */
export const pageCursorSchema = z
  .string()
  .regex(/^[0-9]{1,16}\.[A-Za-z0-9_-]{1,64}$/, "not a cursor from a previous page")
  .transform((s): PageCursor => {
    const dot = s.indexOf(".");
    return { createdAt: Number(s.slice(0, dot)), id: s.slice(dot + 1) };
  })
  .optional()
  .describe("nextCursor of the previous page.");

/** The cursor string for the page after `row`. */
export function encodePageCursor(row: PageCursor): string {
  return `${row.createdAt}.${row.id}`;
}

/** `nextCursor` of a page: null on the last one. */
export const nextCursorSchema = z
  .string()
  .nullable()
  .describe("Pass as ?cursor= for the next page; null at the end.");

/** An epoch-ms query parameter. */
export const epochMsQuerySchema = digits(16).transform(Number).pipe(epochMsSchema);

/** `GET /api/admin/logs` query. */
export const requestLogQuerySchema = z.strictObject({
  from: epochMsQuerySchema.optional().describe("Only requests at or after this time (epoch ms)."),
  to: epochMsQuerySchema.optional().describe("Only requests before this time (epoch ms)."),
  status: digits(3)
    .transform(Number)
    .pipe(z.int().min(100).max(599))
    .optional()
    .describe("Only this HTTP status."),
  userId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .describe("Only requests by this user."),
  limit: pageLimitSchema,
  cursor: pageCursorSchema,
});

/** One recorded request. */
export const requestLogEntrySchema = z.object({
  id: z.string(),
  createdAt: epochMsSchema.describe("When the response finished."),
  method: z.string(),
  route: z.string().describe("Route pattern (e.g. /api/tickets/:id), never the raw path or query."),
  status: z.int().describe("HTTP status answered (0 when the client went away first)."),
  durationMs: z.int().nonnegative(),
  userId: z.string().nullable().describe("Authenticated caller, if any."),
  apiKeyId: z.string().nullable().describe("API key used, if the caller authenticated with one."),
  ip: z.string().nullable(),
  userAgent: z.string().nullable().describe("User-Agent, truncated."),
  requestId: z.string().nullable().describe("X-Request-Id, to find the matching server log lines."),
});
export type RequestLogEntry = z.output<typeof requestLogEntrySchema>;

/** `GET /api/admin/logs` data. */
export const requestLogPageSchema = z.object({
  entries: z.array(requestLogEntrySchema),
  nextCursor: nextCursorSchema,
});
