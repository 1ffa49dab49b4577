import { z } from "zod";
import { slugIdSchema } from "../config/common.js";
import { cameraStatusSchema, entityIdSchema } from "../mqtt/bodies/common.js";
import { deviceIdSchema } from "../mqtt/topics.js";
import { nextCursorSchema, pageCursorSchema, pageLimitSchema } from "./admin.js";
import { deviceRoleSchema } from "./pairing.js";

// REST schemas of devices (agents), their cameras, grants and the access log (DESIGN.md §4):
// `/api/cameras…` and `/api/devices…`. Timestamps go out as ISO 8601 strings.

const isoSchema = z.iso.datetime({ offset: true });

/** Presence of a device as the cloud last saw it (retained MQTT status, HTTP heartbeat). */
export const devicePresenceSchema = z.enum(["online", "offline", "unknown"]);
export type DevicePresence = z.output<typeof devicePresenceSchema>;

/** A camera's live state; `unknown` until the agent has reported it. */
export const cameraViewStatusSchema = z.union([cameraStatusSchema, z.literal("unknown")]);

const cameraNameSchema = z.string().trim().min(1).max(64);
const locationSchema = z.string().trim().min(1).max(64);
// A slug rather than the enum of known source types: an agent newer than this cloud may have a
// source kind the cloud does not know yet, and the cloud only displays it.
const sourceKindSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/)
  .describe("Source type on the agent (test, v4l2, picam, rtsp, mjpeg, onvif, browser…).");

/** A camera as a grant holder sees it. */
export const cameraViewSchema = z.object({
  id: entityIdSchema.describe("Cloud camera id."),
  deviceId: deviceIdSchema,
  localId: entityIdSchema.describe("The camera's id in the agent's configuration."),
  name: z.string(),
  location: z.string().nullable(),
  sourceKind: z.string().nullable(),
  status: cameraViewStatusSchema,
  statusReason: z.string().nullable(),
  role: deviceRoleSchema.describe("The caller's role on the camera's device."),
  deviceStatus: devicePresenceSchema,
  createdAt: isoSchema,
  updatedAt: isoSchema,
});
export type CameraView = z.output<typeof cameraViewSchema>;

/** `GET /api/cameras` data. */
export const cameraListSchema = z.array(cameraViewSchema);

/** One camera a device registers. */
export const cameraRegistrationSchema = z.strictObject({
  localId: slugIdSchema.describe("The camera's id in the agent's configuration."),
  name: cameraNameSchema,
  location: locationSchema.optional().describe("Only used when the camera is new to the cloud."),
  sourceKind: sourceKindSchema.optional(),
});

/** `POST /api/cameras` body sent by a device: its configured cameras. */
export const cameraRegisterBodySchema = z.strictObject({
  cameras: z
    .array(cameraRegistrationSchema)
    .max(32)
    .refine((cams) => new Set(cams.map((c) => c.localId)).size === cams.length, "localId must be unique"),
});

/** `POST /api/cameras` answer to a device: the cloud id of each camera it registered. */
export const cameraRegisteredSchema = z.array(
  z.object({
    id: entityIdSchema.describe("Cloud camera id."),
    localId: entityIdSchema,
    removed: z.boolean().describe("The owner removed this camera: the cloud ignores it."),
  }),
);

/**
 * `POST /api/cameras` body sent by an owner: add a source to a paired agent. Only `deviceId` is
 * checked before the grant check (a stranger learns nothing from a 400); `camera` is then
 * validated against the agent's camera schema (CameraConfig: id, name, source, motion?, recording?).
 */
export const cameraAddBodySchema = z.strictObject({
  deviceId: deviceIdSchema,
  camera: z.unknown().describe("An agent camera config (CameraConfig), validated after the grant check."),
});

/** `POST /api/cameras` body: a device's registration or an owner's new source. */
export const cameraPostBodySchema = z.union([cameraRegisterBodySchema, cameraAddBodySchema]);

/** `PUT /api/cameras/:id` body: at least one member. */
export const cameraUpdateBodySchema = z
  .strictObject({
    name: cameraNameSchema.optional(),
    location: locationSchema.nullable().optional().describe("null clears it."),
  })
  .refine((b) => b.name !== undefined || b.location !== undefined, "give name or location");

/** `DELETE /api/cameras/:id` data. */
export const cameraRemovedSchema = z.object({ id: entityIdSchema, removed: z.literal(true) });

/** `GET /api/cameras/:id/stats` data: the device's latest telemetry sample, nothing invented. */
export const cameraStatsSchema = z.object({
  cameraId: entityIdSchema,
  deviceId: deviceIdSchema,
  deviceStatus: devicePresenceSchema,
  telemetryAt: isoSchema.nullable().describe("When the sample was received; null before the first."),
  camera: z
    .object({ status: cameraStatusSchema, fps: z.number().nonnegative(), reason: z.string().nullable() })
    .nullable()
    .describe("This camera in the sample; null when the sample does not mention it."),
  device: z
    .object({
      cpuPercent: z.number(),
      memoryMB: z.number(),
      temperatureC: z.number().nullable(),
      diskFreeMB: z.number(),
      diskTotalMB: z.number(),
      uptimeS: z.number(),
    })
    .nullable()
    .describe("Whole-device figures; null before the first sample."),
});
export type CameraStats = z.output<typeof cameraStatsSchema>;

/** A device as a grant holder sees it, with its visible cameras. */
export const deviceViewSchema = z.object({
  id: deviceIdSchema,
  name: z.string(),
  role: deviceRoleSchema.describe("The caller's role."),
  status: devicePresenceSchema,
  statusAt: isoSchema.nullable(),
  lastSeenAt: isoSchema.nullable(),
  agentVersion: z.string().nullable(),
  createdAt: isoSchema,
  cameras: z.array(cameraViewSchema),
});
export type DeviceView = z.output<typeof deviceViewSchema>;

/** `GET /api/devices` data. */
export const deviceListSchema = z.array(deviceViewSchema);

/** `PATCH /api/devices/:id` body. */
export const deviceUpdateBodySchema = z.strictObject({ name: z.string().trim().min(1).max(64) });

/** `DELETE /api/devices/:id` data: the device is unpaired (every grant gone). */
export const deviceRemovedSchema = z.object({
  id: deviceIdSchema,
  removed: z.literal(true),
  revokedGrants: z.int().nonnegative().describe("Grants deleted, the owner's included."),
});

/** One grant on a device, as its owner sees it. */
export const deviceGrantViewSchema = z.object({
  userId: entityIdSchema,
  name: z.string(),
  email: z.string(),
  role: deviceRoleSchema,
  grantedBy: z.string().nullable().describe("User who granted it (the owner, or null when paired)."),
  createdAt: isoSchema,
});
export type DeviceGrantView = z.output<typeof deviceGrantViewSchema>;

/** `GET /api/devices/:id/grants` data. */
export const deviceGrantListSchema = z.array(deviceGrantViewSchema);

/** `DELETE /api/devices/:id/grants/:userId` data. */
export const grantRevokedSchema = z.object({
  deviceId: deviceIdSchema,
  userId: entityIdSchema,
  revoked: z.literal(true),
});

/** `GET /api/devices/:id/access-log` query. */
export const accessLogQuerySchema = z.strictObject({ limit: pageLimitSchema, cursor: pageCursorSchema });

/** One access-log entry. */
export const accessLogEntrySchema = z.object({
  id: z.string(),
  at: isoSchema,
  userId: z.string().nullable(),
  userName: z.string().nullable().describe("null for the device itself or a deleted account."),
  cameraId: z.string().nullable(),
  action: z.string().describe("e.g. camera.add, camera.remove, grant.revoke, device.unpair."),
  outcome: z.string().describe("ok, refused, or an error code."),
  detail: z.string().nullable(),
});
export type AccessLogEntryView = z.output<typeof accessLogEntrySchema>;

/** `GET /api/devices/:id/access-log` data, newest first. */
export const accessLogPageSchema = z.object({
  entries: z.array(accessLogEntrySchema),
  nextCursor: nextCursorSchema,
});
