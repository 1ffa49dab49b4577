import { z } from "zod";
import { epochMsSchema } from "../mqtt/bodies/common.js";
import { nextCursorSchema, pageCursorSchema, pageLimitSchema } from "./admin.js";

// Support tickets (seed 001's `Tickets`): a user asks, an administrator answers.

export const TICKET_STATUSES = ["open", "in_progress", "resolved", "closed"] as const;
export const ticketStatusSchema = z.enum(TICKET_STATUSES).describe("open | in_progress | resolved | closed");
export type TicketStatus = z.output<typeof ticketStatusSchema>;

/** `POST /api/tickets` body. */
export const ticketCreateSchema = z.strictObject({
  subject: z.string().trim().min(1).max(200).describe("One line: what is wrong."),
  message: z.string().trim().min(1).max(5000).describe("The details."),
});

/** A ticket as its author sees it. */
export const ticketViewSchema = z.object({
  id: z.string(),
  subject: z.string(),
  message: z.string(),
  status: ticketStatusSchema,
  adminResponse: z.string().nullable().describe("The administrator's answer, once given."),
  createdAt: epochMsSchema,
  updatedAt: epochMsSchema,
  resolvedAt: epochMsSchema.nullable().describe("When it was resolved or closed."),
});
export type TicketView = z.output<typeof ticketViewSchema>;

/** A ticket as an administrator sees it: who asked and who answered. */
export const adminTicketViewSchema = ticketViewSchema.extend({
  userId: z.string().describe("Author."),
  adminId: z.string().nullable().describe("Administrator who last answered or changed the status."),
});
export type AdminTicketView = z.output<typeof adminTicketViewSchema>;

/** `GET /api/tickets` query. */
export const ticketListQuerySchema = z.strictObject({
  status: ticketStatusSchema.optional().describe("Only tickets in this status."),
  limit: pageLimitSchema,
  cursor: pageCursorSchema,
});

/** `GET /api/admin/tickets` query. */
export const adminTicketListQuerySchema = ticketListQuerySchema;

/** `GET /api/tickets` data. */
export const ticketPageSchema = z.object({
  tickets: z.array(ticketViewSchema),
  nextCursor: nextCursorSchema,
});

/** `GET /api/admin/tickets` data. */
export const adminTicketPageSchema = z.object({
  tickets: z.array(adminTicketViewSchema),
  nextCursor: nextCursorSchema,
});

/** `PATCH /api/admin/tickets/:id` body. */
export const ticketUpdateSchema = z.strictObject({
  status: ticketStatusSchema,
  response: z.string().trim().min(1).max(5000).optional().describe("Answer shown to the author."),
});
