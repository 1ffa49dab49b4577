import { z } from "zod";
import { cameraSourceSchema } from "./camera-source.js";
import { logSectionSchema, patchSchemaOf, portSchema, slugIdSchema } from "./common.js";

/** A point in normalised frame coordinates: (0,0) top-left, (1,1) bottom-right. */
export const pointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

/** A polygon zone: `include` zones limit detection to themselves, `exclude` zones are ignored. */
export const zoneSchema = z.strictObject({
  name: z.string().max(64).default("zone").describe("Label shown in the viewer."),
  mode: z.enum(["include", "exclude"]).default("exclude").describe("Detect only inside, or never inside."),
  points: z.array(pointSchema).min(3).max(64).describe("Polygon corners, normalised 0-1."),
});

/** Motion detection settings of one camera. Works with no configuration: whole frame, sensitivity 60. */
export const motionSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Run motion detection on this camera."),
    sensitivity: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(60)
      .describe("1 = only large changes, 100 = everything."),
    eventGapSeconds: z
      .number()
      .min(1)
      .max(300)
      .default(5)
      .describe("An event ends after this long without motion; later motion starts a new event."),
    minDurationMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(400)
      .describe("Motion must last this long before an event starts."),
    analysisFps: z.number().min(1).max(15).default(5).describe("Frames per second decoded for analysis."),
    analysisWidth: z
      .number()
      .int()
      .min(80)
      .max(640)
      .default(320)
      .describe("Width of analysis frames (height keeps the aspect ratio)."),
    zones: z.array(zoneSchema).max(16).default([]).describe("Include/exclude polygons; none = whole frame."),
  })
  .describe("Motion detection.");

/** Event clip settings of one camera. */
export const recordingSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Record a clip for every event."),
    preRollSeconds: z.number().min(0).max(30).default(5).describe("Seconds kept before motion starts."),
    postRollSeconds: z.number().min(0).max(60).default(10).describe("Seconds kept after motion ends."),
    maxSeconds: z.number().min(5).max(600).default(60).describe("Longest single clip; longer events split."),
    segmentSeconds: z.number().int().min(1).max(10).default(2).describe("Ring-buffer segment length."),
  })
  .describe("Event clips.");

/** One camera attached to this agent. */
export const cameraConfigSchema = z.strictObject({
  id: slugIdSchema.describe("Stable id, [a-z0-9-]."),
  name: z.string().min(1).max(64).describe("Human name, e.g. 'Front door'."),
  enabled: z.boolean().default(true).describe("Capture from this camera."),
  source: cameraSourceSchema,
  motion: motionSettingsSchema.prefault({}),
  recording: recordingSettingsSchema.prefault({}),
});

/** The agent's configuration file (YAML). See DESIGN.md §3 for the shape every document uses. */
export const agentConfigSchema = z
  .strictObject({
    stateDir: z
      .string()
      .min(1)
      .default("/var/lib/homecam")
      .describe("SQLite database, ring segments, clips, thumbnails and the device key."),
    http: z
      .strictObject({
        host: z.string().default("0.0.0.0").describe("Address the LAN server listens on."),
        mdns: z
          .boolean()
          .default(true)
          .describe(
            "Advertise the agent on the LAN with mDNS (`_homecam._tcp`); never when `host` is loopback.",
          ),
        port: portSchema.default(4080).describe("LAN server port (viewer, live, /capture, /health)."),
      })
      .prefault({})
      .describe("LAN HTTP server."),
    cloud: z
      .strictObject({
        enabled: z.boolean().default(true).describe("false: fully local, nothing leaves the device."),
        url: z.url().default("http://127.0.0.1:4001").describe("Cloud REST base URL."),
        issuer: z
          .url()
          .optional()
          .describe(
            "Issuer (`iss`) of the cloud's tokens when it differs from `url` (the cloud's `auth.issuer` or `http.publicUrl`).",
          ),
        mqttUrl: z
          .string()
          .regex(/^(mqtts?|wss?):\/\//, "must start with mqtt://, mqtts://, ws:// or wss://")
          .default("mqtt://127.0.0.1:1883")
          .describe("Cloud MQTT broker URL."),
        upload: z
          .strictObject({
            enabled: z
              .boolean()
              .default(true)
              .describe(
                "Upload clips and thumbnails to cloud storage; false = local-only clips (events still sync).",
              ),
            onlyEvents: z
              .boolean()
              .default(true)
              .describe("Upload only clips of an event; false also uploads clips not tied to one."),
            concurrency: z.number().int().min(1).max(8).default(1).describe("Clips uploaded at once."),
            maxBytesPerSecond: z
              .number()
              .int()
              .min(0)
              .default(0)
              .describe("Bandwidth cap for uploads on metered links, bytes/s; 0 = no cap."),
          })
          .prefault({})
          .describe("Clip upload."),
      })
      .prefault({})
      .describe("Connection to the homecam cloud."),
    cameras: z
      .array(cameraConfigSchema)
      .max(16)
      .default([])
      .describe("Cameras attached to this host.")
      .refine((cams) => new Set(cams.map((c) => c.id)).size === cams.length, "camera ids must be unique"),
    storage: z
      .strictObject({
        days: z.number().int().min(1).max(3650).default(30).describe("Delete clips older than this."),
        maxDiskMB: z.number().int().min(16).default(4096).describe("Disk budget for clips and thumbnails."),
        minFreeMB: z.number().int().min(0).default(512).describe("Free space always left on the disk."),
      })
      .prefault({})
      .describe("Local clip retention."),
    log: logSectionSchema.prefault({}),
  })
  .describe("homecam agent configuration.");

/** Validated agent configuration (defaults applied). */
export type AgentConfig = z.infer<typeof agentConfigSchema>;
/** The agent configuration as written in a file (defaults optional). */
export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type CameraConfig = z.infer<typeof cameraConfigSchema>;
export type MotionSettings = z.infer<typeof motionSettingsSchema>;
export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;
export type Zone = z.infer<typeof zoneSchema>;

/** Per-camera settings a viewer may change remotely (`settings.set`); validated with the same schemas. */
export const cameraSettingsPatchSchema = z.strictObject({
  name: cameraConfigSchema.shape.name.optional(),
  motion: patchSchemaOf(motionSettingsSchema).optional(),
  recording: patchSchemaOf(recordingSettingsSchema).optional(),
});
export type CameraSettingsPatch = z.infer<typeof cameraSettingsPatchSchema>;
