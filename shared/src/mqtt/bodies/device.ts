import { z } from "zod";
import { cameraIdSchema, cameraStatusSchema, reasonSchema } from "./common.js";

// A device hosts at most a handful of cameras; the cap bounds work per message.
const MAX_CAMERAS = 32;

/** `device.status` on `…/status` (retained; the last will publishes `state: "offline"`). */
export const deviceStatusBodySchema = z.object({
  state: z.enum(["online", "offline"]),
  reason: reasonSchema.optional().describe("Why the state changed, e.g. `shutdown`, `connection lost`."),
  agentVersion: z.string().min(1).max(64).optional(),
  cameras: z
    .array(
      z.object({
        id: cameraIdSchema,
        status: cameraStatusSchema,
        reason: reasonSchema.optional(),
      }),
    )
    .max(MAX_CAMERAS)
    .optional(),
});

/** `device.telemetry` on `…/telemetry`: periodic health sample. */
export const deviceTelemetryBodySchema = z.object({
  cpuPercent: z.number().min(0).max(100).describe("Whole-machine CPU use, averaged over all cores."),
  memoryMB: z.number().nonnegative().describe("Memory in use, MiB."),
  temperatureC: z
    .number()
    .min(-100)
    .max(200)
    .nullable()
    .optional()
    .describe("SoC temperature; null if unknown."),
  diskFreeMB: z.number().nonnegative().describe("Free space on the recordings volume, MiB."),
  diskTotalMB: z.number().nonnegative().describe("Size of the recordings volume, MiB."),
  uptimeS: z.number().nonnegative().describe("Agent process uptime, seconds."),
  cameras: z
    .array(
      z.object({
        id: cameraIdSchema,
        status: cameraStatusSchema,
        fps: z.number().nonnegative().max(1000).describe("Frames per second received over the last sample."),
        reason: reasonSchema.optional(),
      }),
    )
    .max(MAX_CAMERAS),
});
