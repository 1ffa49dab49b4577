import { z } from "zod";
import { logSectionSchema, portSchema } from "./common.js";

/** The cloud's configuration file (YAML). Secrets belong in the systemd credentials directory. */
export const cloudConfigSchema = z
  .strictObject({
    stateDir: z
      .string()
      .min(1)
      .default("/var/lib/homecam-cloud")
      .describe("Signing keys, the SQLite database by default, and the fs storage driver's objects."),
    http: z
      .strictObject({
        host: z.string().default("127.0.0.1").describe("Address the HTTP server listens on."),
        port: portSchema.default(4001).describe("HTTP port (REST, viewer, WebSocket)."),
        publicUrl: z
          .url()
          .default("http://127.0.0.1:4001")
          .describe("URL viewers use to reach this service; pairing QR codes point here."),
        trustProxy: z
          .boolean()
          .default(false)
          .describe("Trust X-Forwarded-For (only behind a reverse proxy you run)."),
        bodyLimitKB: z.number().int().min(1).max(10_240).default(256).describe("Largest JSON body accepted."),
      })
      .prefault({})
      .describe("HTTP server."),
    database: z
      .strictObject({
        url: z
          .string()
          .regex(/^(sqlite:|postgres(ql)?:\/\/)/, "must start with sqlite: or postgres://")
          .default("sqlite:cloud.db")
          .describe("sqlite:<path> (relative to stateDir) or postgres://user:pass@host/db."),
        poolSize: z.number().int().min(1).max(100).default(10).describe("PostgreSQL connection pool size."),
      })
      .prefault({})
      .describe("Database."),
    mqtt: z
      .strictObject({
        host: z.string().default("0.0.0.0").describe("Address the MQTT listener binds."),
        port: portSchema.default(1883).describe("MQTT TCP port for agents."),
        maxPacketBytes: z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(256 * 1024)
          .describe("Largest MQTT packet accepted; larger ones are refused before parsing."),
        tlsCertFile: z.string().optional().describe("PEM certificate: enables MQTT over TLS."),
        tlsKeyFile: z.string().optional().describe("PEM private key for tlsCertFile."),
      })
      .prefault({})
      .describe("Embedded MQTT broker."),
    redis: z
      .strictObject({
        url: z
          .string()
          .regex(/^rediss?:\/\//)
          .optional()
          .describe("Redis URL: shares the broker bus between cloud instances (scale-out)."),
      })
      .prefault({})
      .describe("Scale-out bus."),
    mail: z
      .strictObject({
        smtpUrl: z
          .string()
          .regex(/^smtps?:\/\//)
          .optional()
          .describe("smtp://user:pass@host:port; without it mail is written to the log and mailDir."),
        from: z.string().default("homecam <noreply@homecam.local>").describe("Sender address."),
        mailDir: z.string().optional().describe("Also write every message as a file here (demo mailbox)."),
      })
      .prefault({})
      .describe("Outgoing e-mail."),
    log: logSectionSchema.prefault({}),
  })
  .describe("homecam cloud configuration.");

/** Validated cloud configuration (defaults applied). */
export type CloudConfig = z.infer<typeof cloudConfigSchema>;
/** The cloud configuration as written in a file. */
export type CloudConfigInput = z.input<typeof cloudConfigSchema>;
