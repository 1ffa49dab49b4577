import { z } from "zod";
import { entityIdSchema } from "../mqtt/bodies/common.js";
import { deviceIdSchema } from "../mqtt/topics.js";
import { epochMsQuerySchema, nextCursorSchema, pageCursorSchema, pageLimitSchema } from "./admin.js";

// REST schemas of the notification centre (issue 7 §6): `/api/notifications…` and the Web Push
// subscriptions of a user's browsers. A user only ever sees and changes their own notifications.
// Timestamps go out as ISO 8601 strings (like the event index), query bounds come in as epoch ms.

const isoSchema = z.iso.datetime({ offset: true });
const boolQuerySchema = z.enum(["true", "false"]).transform((s) => s === "true");
const countSchema = z.int().nonnegative();

export const NOTIFICATION_TYPES = ["motion", "system", "security", "maintenance"] as const;
export const notificationTypeSchema = z
  .enum(NOTIFICATION_TYPES)
  .describe("motion (a camera saw movement) | system (a device went offline…) | security | maintenance");
export type NotificationType = z.output<typeof notificationTypeSchema>;

export const NOTIFICATION_PRIORITIES = ["low", "medium", "high", "critical"] as const;
export const notificationPrioritySchema = z.enum(NOTIFICATION_PRIORITIES);
export type NotificationPriority = z.output<typeof notificationPrioritySchema>;

/** Largest `metadata` accepted, as JSON text: notifications are small, push payloads ≤ 4 KiB. */
export const NOTIFICATION_METADATA_MAX_CHARS = 2048;

/** One metadata value: flat scalars only (nothing for a client to walk, a simple OpenAPI schema). */
const metadataValueSchema = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);

/** Extra data of a notification (event id, camera id…): a flat JSON object, never secrets. */
export const notificationMetadataSchema = z
  .record(z.string().min(1).max(64), metadataValueSchema)
  .refine((m) => JSON.stringify(m).length <= NOTIFICATION_METADATA_MAX_CHARS, {
    message: `metadata must be at most ${NOTIFICATION_METADATA_MAX_CHARS} characters of JSON`,
  })
  .describe("Extra data as a JSON object (e.g. eventId, cameraId, deviceId).");

/** A notification as its recipient sees it. */
export const notificationViewSchema = z.object({
  id: entityIdSchema,
  userId: entityIdSchema.describe("The recipient."),
  type: notificationTypeSchema,
  priority: notificationPrioritySchema,
  title: z.string(),
  message: z.string(),
  metadata: z.record(z.string(), metadataValueSchema),
  deviceId: deviceIdSchema.nullable().describe("The device it is about, if any."),
  cameraId: entityIdSchema.nullable().describe("The cloud camera it is about, if any."),
  eventId: entityIdSchema.nullable().describe("The cloud event it is about, if any."),
  isRead: z.boolean(),
  readAt: isoSchema.nullable(),
  createdAt: isoSchema,
});
export type NotificationView = z.output<typeof notificationViewSchema>;

/** `GET /api/notifications` query. Newest first. */
export const notificationListQuerySchema = z
  .strictObject({
    type: notificationTypeSchema.optional(),
    priority: notificationPrioritySchema.optional(),
    isRead: boolQuerySchema.optional().describe("true: only read ones; false: only unread ones."),
    unread: boolQuerySchema.optional().describe("Shorthand: unread=true is isRead=false."),
    from: epochMsQuerySchema.optional().describe("Only notifications created at or after (epoch ms)."),
    to: epochMsQuerySchema.optional().describe("Only notifications created before (epoch ms)."),
    limit: pageLimitSchema,
    cursor: pageCursorSchema,
  })
  .refine((q) => q.isRead === undefined || q.unread === undefined || q.isRead !== q.unread, {
    message: "isRead and unread contradict each other",
    path: ["unread"],
  });

/** `GET /api/notifications` data. */
export const notificationPageSchema = z.object({
  notifications: z.array(notificationViewSchema),
  nextCursor: nextCursorSchema,
});

/**
 * `POST /api/notifications` body. A user creates notifications for themselves (reminders, tests of
 * their channels); only an administrator signed in with an access token may name another `userId`
 * (maintenance announcements). They are delivered like the cloud's own: viewer socket, Web Push and
 * e-mail as the recipient's settings allow.
 */
export const notificationCreateBodySchema = z.strictObject({
  userId: entityIdSchema
    .optional()
    .describe("Recipient; defaults to the caller. Another user's id: administrators only (403 otherwise)."),
  type: notificationTypeSchema.default("system"),
  priority: notificationPrioritySchema.default("medium"),
  title: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(2000),
  metadata: notificationMetadataSchema.optional(),
});

/** `DELETE /api/notifications/:id` data. */
export const notificationDeletedSchema = z.object({ id: entityIdSchema, deleted: z.literal(true) });

/** `PUT /api/notifications/read-all` data. */
export const notificationsReadAllSchema = z.object({
  updated: countSchema.describe("How many notifications were unread and are now read."),
});

/** `GET /api/notifications/unread-count` data. */
export const notificationUnreadCountSchema = z.object({ count: countSchema });

/** `GET /api/notifications/stats` query. */
export const notificationStatsQuerySchema = z.strictObject({
  from: epochMsQuerySchema.optional().describe("Created at or after (epoch ms)."),
  to: epochMsQuerySchema.optional().describe("Created before (epoch ms)."),
});

/** `GET /api/notifications/stats` data; days are UTC. */
export const notificationStatsSchema = z.object({
  total: countSchema,
  unread: countSchema,
  byType: z.array(z.object({ type: notificationTypeSchema, count: countSchema })),
  byPriority: z.array(z.object({ priority: notificationPrioritySchema, count: countSchema })),
  byDay: z.array(z.object({ day: z.iso.date(), count: countSchema })),
});
export type NotificationStats = z.output<typeof notificationStatsSchema>;

/** base64url without padding, exactly `bytes` long once decoded. */
const base64url = (bytes: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`),
      `must be ${bytes} bytes, base64url without padding`,
    );

/**
 * `POST /api/notifications/push/subscriptions` body: the browser's `PushSubscription.toJSON()`.
 * The endpoint must be https:// (http://127.0.0.1 and http://localhost only when the cloud's
 * `notifications.webPush.allowInsecureLocalEndpoints` is set, for tests and local emulators).
 */
export const pushSubscriptionBodySchema = z.object({
  endpoint: z.url().max(2048).describe("The push service URL the browser was given."),
  expirationTime: z.number().nullable().optional().describe("Ignored (browsers send null)."),
  keys: z.object({
    p256dh: base64url(65).describe("The browser's P-256 public key (uncompressed point)."),
    auth: base64url(16).describe("The browser's 16-byte auth secret."),
  }),
});
export type PushSubscriptionBody = z.output<typeof pushSubscriptionBodySchema>;

/** A stored Web Push subscription (the keys are not echoed). */
export const pushSubscriptionViewSchema = z.object({
  id: entityIdSchema,
  endpoint: z.string(),
  createdAt: isoSchema,
});

/** `DELETE /api/notifications/push/subscriptions` body. */
export const pushUnsubscribeBodySchema = z.strictObject({ endpoint: z.url().max(2048) });

/** `DELETE /api/notifications/push/subscriptions` data. */
export const pushUnsubscribedSchema = z.object({ deleted: z.literal(true) });

/** `GET /api/notifications/push/public-key` data: the `applicationServerKey` for `subscribe()`. */
export const pushPublicKeySchema = z.object({
  publicKey: base64url(65).describe("The cloud's VAPID public key (P-256, base64url)."),
});

/** What a service worker receives in a push message (decrypted): small enough for any push service. */
export const webPushPayloadSchema = z.object({
  type: z.literal("notification"),
  notification: notificationViewSchema.pick({
    id: true,
    type: true,
    priority: true,
    title: true,
    message: true,
    cameraId: true,
    eventId: true,
    createdAt: true,
  }),
});
export type WebPushPayload = z.output<typeof webPushPayloadSchema>;
