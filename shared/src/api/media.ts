import { z } from "zod";
import { entityIdSchema, epochMsSchema, objectKeySchema, sizeBytesSchema } from "../mqtt/bodies/common.js";

// REST schemas of the media routes (issue 7 §2–3): the agent presigns and confirms uploads of its
// clips and thumbnails; a grant holder presigns a short-lived download of one clip. Object keys
// are always chosen by the cloud: the agent only names its recording and the kind of object.

/** A multipart upload's id as the storage service issued it (opaque). */
export const uploadIdSchema = z.string().min(1).max(1024);

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
    uploadId: uploadIdSchema
      .optional()
      .describe("Resume this multipart upload (from an earlier answer for the same recording and kind)."),
  })
  .refine(kindMatchesType, { message: "contentType does not match kind", path: ["contentType"] });
export type MediaPresignBody = z.output<typeof mediaPresignBodySchema>;

const presignedPut = {
  url: z.url(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()).describe("Headers to send with the PUT, exactly."),
  expiresAt: epochMsSchema.describe("The URL is refused after this time."),
};

/** Objects larger than this go in parts when the storage supports it (S3); fs takes one PUT. */
export const MULTIPART_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Size of every part but the last (S3's minimum is 5 MiB). */
export const MULTIPART_PART_BYTES = 8 * 1024 * 1024;

/** One part's presigned URL in a multipart answer. */
export const mediaPartUrlSchema = z.object({
  partNumber: z.int().min(1).max(10_000),
  ...presignedPut,
});
export type MediaPartUrl = z.output<typeof mediaPartUrlSchema>;

/**
 * `POST /api/media/presign` answer: `single` = one PUT of the whole object; `multipart` = one PUT
 * per part (part `n` is bytes `[(n-1)·partSizeBytes, n·partSizeBytes)`), each answering an `ETag`
 * the agent keeps (locally, across restarts) and sends back to `/api/media/complete`.
 */
export const mediaPresignResultSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("single"),
    objectKey: objectKeySchema.describe("The key the cloud chose; send it back to `/api/media/complete`."),
    ...presignedPut,
  }),
  z.object({
    mode: z.literal("multipart"),
    objectKey: objectKeySchema.describe("The key the cloud chose; send it back to `/api/media/complete`."),
    uploadId: uploadIdSchema,
    partSizeBytes: z.int().positive(),
    parts: z.array(mediaPartUrlSchema).min(1),
  }),
]);
export type MediaPresignResult = z.output<typeof mediaPresignResultSchema>;

/** `POST /api/media/complete` body (device-authenticated): the upload named by presign is done. */
export const mediaCompleteBodySchema = z.strictObject({
  recordingId: entityIdSchema,
  kind: mediaKindSchema,
  objectKey: objectKeySchema.describe("The key `/api/media/presign` answered."),
  sizeBytes: sizeBytesSchema.describe("Length uploaded; must match the stored object."),
  uploadId: uploadIdSchema.optional().describe("For a multipart upload: the id presign answered."),
  parts: z
    .array(z.strictObject({ partNumber: z.int().min(1).max(10_000), etag: z.string().min(1).max(256) }))
    .min(1)
    .max(10_000)
    .optional()
    .describe("For a multipart upload: every part's ETag, in part-number order."),
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
