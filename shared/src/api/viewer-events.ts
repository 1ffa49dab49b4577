import { z } from "zod";
import { cameraStatusSchema, entityIdSchema, reasonSchema } from "../mqtt/bodies/common.js";
import { deviceTelemetryBodySchema } from "../mqtt/bodies/device.js";
import { deviceIdSchema } from "../mqtt/topics.js";
import { notificationViewSchema } from "./notifications.js";

// What the cloud pushes to a signed-in viewer over `/api/ws`. Every device event names the device
// it is about; a viewer only receives events of devices it holds a grant on. `notification.created`
// is about the user, not a device: it goes to the notification's recipient only.

const deviceEvent = { deviceId: deviceIdSchema, at: z.int().nonnegative().describe("ms since the epoch") };

/** One camera's status as viewers see it (cloud camera id). */
export const viewerCameraStatusSchema = z.object({
  id: entityIdSchema.describe("Cloud camera id."),
  status: z.union([cameraStatusSchema, z.literal("unknown")]),
  reason: reasonSchema.optional(),
});

/** Every viewer push event, discriminated by `type`. */
export const viewerEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("device.status"),
    ...deviceEvent,
    status: z.enum(["online", "offline"]),
    cameras: z.array(viewerCameraStatusSchema),
  }),
  z.object({ type: z.literal("device.telemetry"), ...deviceEvent, telemetry: deviceTelemetryBodySchema }),
  z.object({
    type: z.literal("grant.added"),
    ...deviceEvent,
    userId: entityIdSchema,
    role: z.enum(["owner", "viewer"]),
    displayName: z.string().max(128).optional(),
  }),
  z.object({ type: z.literal("grant.revoked"), ...deviceEvent, userId: entityIdSchema }),
  z.object({ type: z.literal("device.removed"), ...deviceEvent }),
  z.object({
    type: z.literal("notification.created"),
    at: z.int().nonnegative().describe("ms since the epoch"),
    notification: notificationViewSchema,
  }),
]);

/** A viewer push event. */
export type ViewerEvent = z.output<typeof viewerEventSchema>;

/** What a viewer sends first on `/api/ws`: its access token (never in the URL, which is logged). */
export const viewerHelloSchema = z.object({ type: z.literal("auth"), token: z.string().min(1).max(4096) });

/** The hub's answer to every accepted `auth` message. */
export const viewerAuthOkSchema = z.object({
  type: z.literal("auth.ok"),
  userId: entityIdSchema,
  expiresAt: z.iso.datetime({ offset: true }).describe("Send `auth` with a fresh token before this."),
});
export type ViewerAuthOk = z.output<typeof viewerAuthOkSchema>;
