import { z } from "zod";
import { iceServerSchema } from "../api/rtc.js";
import { storageConfigSchema } from "../api/storage.js";
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
    relay: z
      .strictObject({
        commandTimeoutMs: z
          .number()
          .int()
          .min(500)
          .max(120_000)
          .default(10_000)
          .describe("How long a relayed command waits for the device's answer before E_TIMEOUT."),
        viewerBaseUrl: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe("Base URL of the viewer app in pairing QR codes; http.publicUrl when absent."),
      })
      .prefault({})
      .describe("Command relay and pairing."),
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
    auth: z
      .strictObject({
        issuer: z
          .string()
          .min(1)
          .optional()
          .describe("`iss` of the access tokens this cloud signs; http.publicUrl when absent."),
        audience: z
          .string()
          .min(1)
          .default("homecam-api")
          .describe("`aud` of the access tokens; every instance of one deployment must agree."),
        accessTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(3600)
          .default(900)
          .describe("Access token (JWT) lifetime in seconds."),
        refreshTtlDays: z
          .number()
          .int()
          .min(1)
          .max(90)
          .default(30)
          .describe("A refresh token unused for this many days stops working (idle timeout)."),
        refreshMaxLifetimeDays: z
          .number()
          .int()
          .min(1)
          .max(365)
          .default(90)
          .describe("Hard limit of a sign-in session, however often it is refreshed; then sign in again."),
        refreshReuseGraceSeconds: z
          .number()
          .int()
          .min(0)
          .max(10)
          .default(10)
          .describe(
            "A just-rotated refresh token still works this long (two tabs refreshing at once); later reuse revokes the session.",
          ),
        termsVersion: z
          .string()
          .min(1)
          .max(64)
          .default("2025-01")
          .describe("Version of the terms of service recorded with each agreement."),
        google: z
          .strictObject({
            clientId: z
              .string()
              .min(1)
              .optional()
              .describe("OAuth client id (the ID token's `aud`); Google sign-in is off without it."),
            issuer: z
              .string()
              .default("https://accounts.google.com")
              .describe("Expected `iss` of Google ID tokens (accounts.google.com is accepted too)."),
            jwksUrl: z
              .url()
              .default("https://www.googleapis.com/oauth2/v3/certs")
              .describe("Where Google's signing keys are fetched (JWKS)."),
          })
          .prefault({})
          .describe("Sign-in with Google."),
      })
      .prefault({})
      .describe("Accounts and tokens."),
    storage: storageConfigSchema
      .default({ driver: "fs" })
      .describe(
        "Where devices' clips go unless an admin's default provider or the owner's own bucket says otherwise: the embedded fs store or any S3-compatible service.",
      ),
    userStorage: z
      .strictObject({
        allowPrivateEndpoints: z
          .boolean()
          .default(false)
          .describe(
            "Accept users' own buckets on private, loopback or link-local addresses. Off: a user could otherwise make the cloud send requests into its own network.",
          ),
      })
      .prefault({})
      .describe("Users' own buckets (bring your own storage)."),
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
    notifications: z
      .strictObject({
        motionCooldownS: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(60)
          .describe(
            "After a motion notification, no other one for the same user and camera for this many seconds.",
          ),
        webPush: z
          .strictObject({
            subject: z
              .string()
              .regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://")
              .default("mailto:admin@homecam.local")
              .describe("VAPID contact (mailto: or https:) push services may use to reach the operator."),
            allowInsecureLocalEndpoints: z
              .boolean()
              .default(false)
              .describe(
                "Accept http:// push endpoints on 127.0.0.1, ::1 and localhost (tests, local push emulators). Leave off in production: real push services are https.",
              ),
            timeoutMs: z
              .number()
              .int()
              .min(500)
              .max(60_000)
              .default(10_000)
              .describe("How long one delivery to a push service may take."),
          })
          .prefault({})
          .describe("Web Push (VAPID keys are created once in <stateDir>/vapid-keys.json)."),
      })
      .prefault({})
      .describe("Notifications: motion cooldown and Web Push."),
    rtc: z
      .strictObject({
        iceServers: z
          .array(iceServerSchema)
          .max(8)
          .default([])
          .describe("STUN/TURN servers handed to viewers and devices as they are (static credentials)."),
        turn: z
          .strictObject({
            urls: z
              .array(z.string().regex(/^turns?:[^\s]+$/, "must be a turn: or turns: URL"))
              .min(1)
              .max(8)
              .describe("TURN server URLs, e.g. turn:turn.example.org:3478?transport=udp."),
            secret: z
              .string()
              .min(16)
              .optional()
              .describe(
                "The TURN server's shared secret (coturn static-auth-secret). Better in $CREDENTIALS_DIRECTORY/turn-secret.",
              ),
            ttlS: z
              .number()
              .int()
              .min(60)
              .max(86_400)
              .default(3600)
              .describe("Lifetime of minted TURN credentials."),
          })
          .optional()
          .describe(
            "A TURN server using the TURN REST API shared-secret scheme: credentials are minted per viewer.",
          ),
        answerTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(60_000)
          .default(10_000)
          .describe("How long the cloud waits for a device's SDP answer to a relayed WHEP offer."),
      })
      .prefault({})
      .describe("WebRTC live view relayed through the cloud: ICE servers and TURN credentials."),
    log: logSectionSchema.prefault({}),
  })
  .describe("homecam cloud configuration.");

/** Validated cloud configuration (defaults applied). */
export type CloudConfig = z.infer<typeof cloudConfigSchema>;
/** The cloud configuration as written in a file. */
export type CloudConfigInput = z.input<typeof cloudConfigSchema>;
