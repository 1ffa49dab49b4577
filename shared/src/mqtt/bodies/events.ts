import { z } from "zod";
import {
  cameraIdSchema,
  durationMsSchema,
  entityIdSchema,
  epochMsSchema,
  objectKeySchema,
  reasonSchema,
  sha256HexSchema,
  sizeBytesSchema,
  unitSchema,
} from "./common.js";

// Bodies published on `…/evt/{kind}`, where by convention `kind` is the message type. QoS 1 means
// at-least-once: receivers dedupe on the frame `id` and upsert on `eventId` / `recordingId`.

/** What triggered an event. */
export const eventTypeSchema = z.enum(["motion", "manual", "scheduled", "sound"]);

/** A detection box, normalised to the frame (0–1 on each axis). */
export const boxSchema = z.object({ x: unitSchema, y: unitSchema, w: unitSchema, h: unitSchema });

const eventShape = {
  eventId: entityIdSchema,
  cameraId: cameraIdSchema,
  type: eventTypeSchema,
  startedAt: epochMsSchema,
  endedAt: epochMsSchema.optional(),
  durationMs: durationMsSchema.optional(),
  score: unitSchema.describe("Peak detection score, 0–1."),
  boxes: z.array(boxSchema).max(64).optional(),
  thumbnailKey: objectKeySchema.optional().describe("Object key of the thumbnail, once uploaded."),
};

const endsAfterStart = (b: { startedAt: number; endedAt?: number | undefined }) =>
  b.endedAt === undefined || b.endedAt >= b.startedAt;
const endCheck = { message: "endedAt is before startedAt", path: ["endedAt"] };

/** `event.started` and `event.updated`. */
export const eventBodySchema = z.object(eventShape).refine(endsAfterStart, endCheck);

/** `event.ended`: as {@link eventBodySchema} but `endedAt` and `durationMs` are required. */
export const eventEndedBodySchema = z
  .object({ ...eventShape, endedAt: epochMsSchema, durationMs: durationMsSchema })
  .refine(endsAfterStart, endCheck);

/** `recording.ready`: a finished segment is on the device's disk. */
export const recordingReadyBodySchema = z
  .object({
    recordingId: entityIdSchema,
    eventId: entityIdSchema
      .nullable()
      .describe("Event this segment belongs to; null for continuous recording."),
    cameraId: cameraIdSchema,
    index: z.int().nonnegative().describe("Segment number within the event or recording run."),
    startedAt: epochMsSchema,
    endedAt: epochMsSchema,
    durationMs: durationMsSchema,
    sizeBytes: sizeBytesSchema,
    format: z.literal("mp4"),
    sha256: sha256HexSchema.optional(),
  })
  .refine(endsAfterStart, endCheck);

/** `upload.done`: an object reached storage through a presigned PUT. */
export const uploadDoneBodySchema = z.object({
  recordingId: entityIdSchema,
  objectKey: objectKeySchema,
  sizeBytes: sizeBytesSchema,
  kind: z.enum(["clip", "thumbnail"]),
});

/** `clip.deleted`: the agent removed a local clip (retention, free-space guard, user). */
export const clipDeletedBodySchema = z.object({
  recordingId: entityIdSchema,
  reason: reasonSchema,
  uploaded: z.boolean().describe("Whether a copy exists in cloud storage."),
});

/** `retention.warning`: a clip is about to be removed before it could be uploaded. */
export const retentionWarningBodySchema = z.object({
  recordingId: entityIdSchema,
  reason: reasonSchema,
  sizeBytes: sizeBytesSchema,
});
