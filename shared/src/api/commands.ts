import { z } from "zod";
import { motionSettingsSchema, recordingSettingsSchema } from "../config/agent.js";
import { requestIdSchema } from "../mqtt/topics.js";

// REST schemas of the command relay (DESIGN.md §4 "Relay"): `POST /api/cameras/:id/commands`,
// `GET /api/cameras/:id/snapshot`, `GET|PUT /api/cameras/:id/settings`, and the agent's HTTP
// heartbeat `POST /api/cameras/:id/heartbeat` (its body is the MQTT `device.telemetry` body).

/**
 * Commands a viewer app may relay to a camera. `camera.add` (its own route) and `grants.revoked`
 * (sent by the cloud itself) are not among them.
 */
export const CAMERA_COMMAND_TYPES = [
  "snapshot",
  "settings.get",
  "settings.set",
  "ptz.move",
  "ptz.stop",
  "ptz.preset",
  "record.now",
  "arm",
  "disarm",
  "camera.restart",
] as const;
export const cameraCommandTypeSchema = z.enum(CAMERA_COMMAND_TYPES);
export type CameraCommandType = z.output<typeof cameraCommandTypeSchema>;

/** The commands a `viewer` grant allows; an `owner` may send every {@link CAMERA_COMMAND_TYPES}. */
export const VIEWER_COMMAND_TYPES = [
  "snapshot",
  "settings.get",
] as const satisfies readonly CameraCommandType[];

/** True when a viewer (not only the owner) may send `type`. */
export function isViewerCommand(type: unknown): boolean {
  return (VIEWER_COMMAND_TYPES as readonly unknown[]).includes(type);
}

/** `POST /api/cameras/:id/commands` body. */
export const cameraCommandBodySchema = z.strictObject({
  type: cameraCommandTypeSchema,
  args: z
    .record(z.string().max(64), z.unknown())
    .refine((args) => !Object.hasOwn(args, "cameraId"), {
      message: "cameraId is filled in by the cloud from the camera in the path",
    })
    .optional()
    .describe(
      "The command's arguments without `cameraId`, e.g. `{pan, tilt, zoom}` for ptz.move, `{patch}` for settings.set.",
    ),
  requestId: requestIdSchema
    .optional()
    .describe("Your idempotency key: a repeat within 10 minutes is executed once and gets the same result."),
});
export type CameraCommandBody = z.output<typeof cameraCommandBodySchema>;

/** `POST /api/cameras/:id/commands` answer. */
export const cameraCommandResultSchema = z.object({
  requestId: requestIdSchema.describe("Your requestId, or the one the cloud chose."),
  result: z.unknown().describe("What the device answered (command-specific)."),
});
export type CameraCommandResult = z.output<typeof cameraCommandResultSchema>;

/** What the agent answers to `snapshot`. */
export const snapshotDataSchema = z.object({
  contentType: z.literal("image/jpeg"),
  dataBase64: z.base64().max(350_000).describe("The JPEG, base64 (a message is at most 256 KiB)."),
});
export type SnapshotData = z.output<typeof snapshotDataSchema>;

/** A camera's effective settings, as the agent answers `settings.get` / `settings.set`. */
export const cameraSettingsSchema = z.looseObject({
  name: z.string(),
  motion: motionSettingsSchema,
  recording: recordingSettingsSchema,
});
export type CameraSettings = z.output<typeof cameraSettingsSchema>;

/** `POST /api/cameras/:id/heartbeat` answer. */
export const heartbeatAnswerSchema = z.object({
  receivedAt: z.iso.datetime({ offset: true }).describe("When the cloud recorded the heartbeat."),
});
