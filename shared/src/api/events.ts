import { z } from "zod";
import { entityIdSchema, objectKeySchema } from "../mqtt/bodies/common.js";
import { boxSchema, eventTypeSchema } from "../mqtt/bodies/events.js";
import { EVENT_MESSAGE_TYPES } from "../mqtt/topic-messages.js";
import { deviceIdSchema, TOKEN_ID_RE } from "../mqtt/topics.js";
import { epochMsQuerySchema, nextCursorSchema, pageCursorSchema, pageLimitSchema } from "./admin.js";

// REST schemas of the cloud's event index (issue 7 §5): `/api/events…` and `/api/recordings…`.
// Ids are the cloud's; timestamps go out as ISO 8601 strings, query bounds come in as epoch ms.

const isoSchema = z.iso.datetime({ offset: true });
const boolQuerySchema = z.enum(["true", "false"]).transform((s) => s === "true");

/** `POST /api/events` body: the same frame a device publishes on `evt/{type}`, minus `v`/`ts`. */
export const eventIngestBodySchema = z.strictObject({
  id: z.string().regex(TOKEN_ID_RE).describe("Frame id: the idempotency key (same as over MQTT)."),
  type: z.enum(EVENT_MESSAGE_TYPES),
  body: z.unknown().describe("The body of `type` (shared/src/mqtt/bodies/events.ts)."),
});

/** The facts `POST /api/recordings` takes: a segment's arrival and its local deletion. */
export const RECORDING_FACT_TYPES = [
  "recording.ready",
  "clip.deleted",
] as const satisfies readonly (typeof EVENT_MESSAGE_TYPES)[number][];

/** `POST /api/recordings` body: a recording fact of the device's outbox, as `POST /api/events`. */
export const recordingIngestBodySchema = eventIngestBodySchema.extend({
  type: z.enum(RECORDING_FACT_TYPES),
});

/** `POST /api/events` (and `POST /api/recordings`) answer. */
export const eventIngestResultSchema = z.object({
  applied: z
    .boolean()
    .describe("false for a frame already applied, an unknown camera or recording, or a foreign object key."),
});

/** An event as a grant holder sees it. */
export const eventViewSchema = z.object({
  id: entityIdSchema.describe("Cloud event id."),
  deviceId: deviceIdSchema,
  cameraId: entityIdSchema.describe("Cloud camera id."),
  type: eventTypeSchema,
  startedAt: isoSchema,
  endedAt: isoSchema.nullable().describe("null while the event is in progress."),
  durationMs: z.int().nonnegative().nullable(),
  score: z.number().min(0).max(1),
  boxes: z.array(boxSchema),
  thumbnailKey: objectKeySchema.nullable(),
  isPinned: z.boolean(),
  acknowledged: z.boolean(),
  createdAt: isoSchema.describe("When the cloud first learnt of the event."),
  updatedAt: isoSchema,
});
export type EventView = z.output<typeof eventViewSchema>;

/** `GET /api/events` query. Newest indexed first. */
export const eventListQuerySchema = z.strictObject({
  cameraId: entityIdSchema.optional(),
  from: epochMsQuerySchema.optional().describe("Only events started at or after this time (epoch ms)."),
  to: epochMsQuerySchema.optional().describe("Only events started before this time (epoch ms)."),
  type: eventTypeSchema.optional(),
  minScore: z
    .string()
    .regex(/^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$/, "a number from 0 to 1")
    .transform(Number)
    .optional()
    .describe("Only events whose peak score is at least this (0–1)."),
  pinned: boolQuerySchema.optional(),
  limit: pageLimitSchema,
  cursor: pageCursorSchema,
});

/** `GET /api/events` data. */
export const eventPageSchema = z.object({ events: z.array(eventViewSchema), nextCursor: nextCursorSchema });

/** `PUT /api/events/:id` body. */
export const eventUpdateBodySchema = z.strictObject({ acknowledged: z.literal(true) });

/** `POST /api/events/:id/pin` body. */
export const eventPinBodySchema = z.strictObject({ pinned: z.boolean() });

/** `DELETE /api/events/:id` data. */
export const eventDeletedSchema = z.object({ id: entityIdSchema, deleted: z.literal(true) });

/** `GET /api/events/stats` query (the caller's cameras, optionally one). */
export const eventStatsQuerySchema = z.strictObject({
  cameraId: entityIdSchema.optional(),
  from: epochMsQuerySchema.optional().describe("Events started at or after (epoch ms)."),
  to: epochMsQuerySchema.optional().describe("Events started before (epoch ms)."),
});

const countSchema = z.int().nonnegative();

/** `GET /api/events/stats` data; days are UTC. */
export const eventStatsSchema = z.object({
  total: countSchema,
  byDay: z.array(z.object({ day: z.iso.date(), count: countSchema })),
  byCamera: z.array(z.object({ cameraId: entityIdSchema, count: countSchema })),
  byType: z.array(z.object({ type: eventTypeSchema, count: countSchema })),
});
export type EventStats = z.output<typeof eventStatsSchema>;

/** Longest owner's note on a recording, in characters (after trimming). */
export const RECORDING_NOTE_MAX = 500;

/** A recorded segment as a grant holder sees it. */
export const recordingViewSchema = z.object({
  id: entityIdSchema.describe("Cloud recording id."),
  deviceId: deviceIdSchema,
  cameraId: entityIdSchema,
  eventId: entityIdSchema.nullable().describe("null for continuous recording (or an event not yet known)."),
  index: z.int().nonnegative(),
  startedAt: isoSchema,
  endedAt: isoSchema,
  durationMs: z.int().nonnegative(),
  sizeBytes: z.int().nonnegative(),
  format: z.literal("mp4"),
  sha256: z.string().nullable(),
  objectKey: objectKeySchema.nullable().describe("Storage key once uploaded."),
  uploaded: z.boolean(),
  uploadedAt: isoSchema.nullable(),
  localDeletedAt: isoSchema.nullable().describe("When the agent removed its local copy."),
  note: z.string().max(RECORDING_NOTE_MAX).nullable().describe("The owner's annotation of the clip."),
  createdAt: isoSchema,
});
export type RecordingView = z.output<typeof recordingViewSchema>;

/** `GET /api/events/:id/recordings` data, in segment order. */
export const recordingListSchema = z.array(recordingViewSchema);

/** `GET /api/recordings` query. Newest indexed first. */
export const recordingListQuerySchema = z.strictObject({
  eventId: entityIdSchema.optional(),
  cameraId: entityIdSchema.optional(),
  uploaded: boolQuerySchema.optional(),
  limit: pageLimitSchema,
  cursor: pageCursorSchema,
});

/** `GET /api/recordings` data. */
export const recordingPageSchema = z.object({
  recordings: z.array(recordingViewSchema),
  nextCursor: nextCursorSchema,
});

/** `PUT /api/recordings/:id` body: the owner's note, trimmed; null (or blank) removes it. */
export const recordingUpdateBodySchema = z.strictObject({
  note: z
    .string()
    .trim()
    .max(RECORDING_NOTE_MAX)
    .transform((s) => (s === "" ? null : s))
    .nullable()
    .describe('The owner\'s annotation ("the parcel thief"), at most 500 characters; null removes it.'),
});

/** `DELETE /api/recordings/:id` data. */
export const recordingDeletedSchema = z.object({ id: entityIdSchema, deleted: z.literal(true) });

/** `GET /api/recordings/stats` query. */
export const recordingStatsQuerySchema = z.strictObject({ cameraId: entityIdSchema.optional() });

const tallySchema = z.object({ count: countSchema, bytes: countSchema });

/** `GET /api/recordings/stats` data. */
export const recordingStatsSchema = z.object({
  count: countSchema,
  bytes: countSchema,
  uploaded: tallySchema,
  notUploaded: tallySchema,
});
export type RecordingStats = z.output<typeof recordingStatsSchema>;
