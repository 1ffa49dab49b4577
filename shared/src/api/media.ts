import { z } from "zod";
import { entityIdSchema, epochMsSchema, objectKeySchema, sizeBytesSchema } from "../mqtt/bodies/common.js";

// REST schemas of the media routes (issue 7 §2–3): the agent presigns and confirms uploads of its
// clips and thumbnails; a grant holder presigns a short-lived download of one clip. Object keys
// are always chosen by the cloud: the agent only names its recording and the kind of object.

/** What is uploaded for a recording: the clip itself, or its event's thumbnail. */
export const mediaKindSchema = z.enum(["clip", "thumbnail"]).describe("clip | thumbnail");
export type MediaKind = z.output<typeof mediaKindSchema>;

/** The only content type each kind may be uploaded with. */
export const MEDIA_CONTENT_TYPES = { clip: "video/mp4", thumbnail: "image/jpeg" } as const;

const kindMatchesType = (b: { kind: MediaKind; contentType: string }) =>
  MEDIA_CONTENT_TYPES[b.kind] === b.contentType;

/** `POST /api/media/presign` body (device-authenticated). */
export const mediaPresignBodySchema = z
  .strictObject({
    recordingId: entityIdSchema.describe("The agent's recording id (as in `recording.ready`)."),
    kind: mediaKindSchema,
    contentType: z
      .enum(["video/mp4", "image/jpeg"])
      .describe("video/mp4 for a clip, image/jpeg for a thumbnail."),
    sizeBytes: sizeBytesSchema.describe("Exact length of the object; the URL accepts nothing else."),
  })
  .refine(kindMatchesType, { message: "contentType does not match kind", path: ["contentType"] });
export type MediaPresignBody = z.output<typeof mediaPresignBodySchema>;

/** `POST /api/media/presign` answer: one PUT of the whole object (the fs and s3 drivers alike). */
export const mediaPresignResultSchema = z.object({
  objectKey: objectKeySchema.describe("The key the cloud chose; send it back to `/api/media/complete`."),
  url: z.url(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()).describe("Headers to send with the PUT, exactly."),
  expiresAt: epochMsSchema.describe("The URL is refused after this time."),
});
export type MediaPresignResult = z.output<typeof mediaPresignResultSchema>;

/** `POST /api/media/complete` body (device-authenticated): the upload named by presign is done. */
export const mediaCompleteBodySchema = z.strictObject({
  recordingId: entityIdSchema,
  kind: mediaKindSchema,
  objectKey: objectKeySchema.describe("The key `/api/media/presign` answered."),
  sizeBytes: sizeBytesSchema.describe("Length uploaded; must match the stored object."),
});
export type MediaCompleteBody = z.output<typeof mediaCompleteBodySchema>;

/** `POST /api/media/complete` answer (the same for a repeat). */
export const mediaCompleteResultSchema = z.object({
  uploaded: z.literal(true),
  objectKey: objectKeySchema,
});

/** `GET /api/clips/:id/presign-get` answer: a short-lived URL for that one clip. */
export const clipPresignGetResultSchema = z.object({
  url: z.url(),
  expiresAt: epochMsSchema.describe("The URL is refused after this time."),
});
export type ClipPresignGetResult = z.output<typeof clipPresignGetResultSchema>;
