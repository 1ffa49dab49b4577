import { z } from "zod";
import { epochMsSchema } from "../mqtt/bodies/common.js";

// Per-user settings (MIMO's `Settings` table: notifications, e-mail notifications, motion
// sensitivity, recording quality, storage days, app lock). One schema with defaults and a
// description per field; the cloud stores one row per user and answers the defaults until the
// user changes something.

/** Recording quality a viewer asks new cameras for. */
export const recordingQualitySchema = z
  .enum(["low", "medium", "high"])
  .describe("Recording quality for new cameras: low | medium | high.");

/** An app-lock PIN: 4 to 8 ASCII digits (a string, so leading zeros survive). */
export const appLockPinSchema = z
  .string()
  .regex(/^[0-9]{4,8}$/, "must be 4 to 8 digits")
  .describe("App-lock PIN, 4 to 8 digits. Stored hashed; never returned or exported.");

const notificationsEnabled = z.boolean().describe("Push notifications on or off.");
const emailNotifications = z.boolean().describe("Also send notifications by e-mail.");
const defaultMotionSensitivity = z
  .int()
  .min(1)
  .max(100)
  .describe("Motion sensitivity (1–100) given to newly paired cameras.");
const storageDays = z.int().min(1).max(3650).describe("Days a clip is kept before retention deletes it.");

/** The settings as stored and exported (no PIN: it never leaves the server). */
export const userSettingsSchema = z.strictObject({
  notificationsEnabled: notificationsEnabled.default(true),
  emailNotifications: emailNotifications.default(true),
  defaultMotionSensitivity: defaultMotionSensitivity.default(50),
  recordingQuality: recordingQualitySchema.default("medium"),
  storageDays: storageDays.default(30),
  appLock: z
    .strictObject({ enabled: z.boolean().default(false).describe("Ask for the PIN when the app opens.") })
    .prefault({})
    .describe("App lock. Enabling it needs a PIN set through PUT /api/settings."),
});
export type UserSettings = z.output<typeof userSettingsSchema>;

/** Every settings key, for `GET/PUT /api/settings/:key`. */
export const SETTING_KEYS = [
  "notificationsEnabled",
  "emailNotifications",
  "defaultMotionSensitivity",
  "recordingQuality",
  "storageDays",
  "appLock",
] as const satisfies readonly (keyof UserSettings)[];
export type SettingKey = (typeof SETTING_KEYS)[number];
export const settingKeySchema = z.enum(SETTING_KEYS).describe("A settings key.");

/** App lock as answered: whether a PIN is set, never the PIN or its hash. */
export const appLockViewSchema = z.object({
  enabled: z.boolean().describe("Ask for the PIN when the app opens."),
  pinSet: z.boolean().describe("A PIN is stored (hashed)."),
});

/** `GET /api/settings` data. */
export const settingsViewSchema = z.object({
  notificationsEnabled,
  emailNotifications,
  defaultMotionSensitivity,
  recordingQuality: recordingQualitySchema,
  storageDays,
  appLock: appLockViewSchema,
  updatedAt: epochMsSchema.nullable().describe("Last change; null while every value is the default."),
});
export type SettingsView = z.output<typeof settingsViewSchema>;

/**
 * A change of the app lock. `{pin}` sets or changes the PIN; `{enabled: true}` needs a PIN already
 * stored or given alongside; `{enabled: false}` turns the lock off and forgets the PIN.
 */
export const appLockUpdateSchema = z.strictObject({
  enabled: z.boolean().optional().describe("Turn the lock on (needs a PIN) or off (forgets the PIN)."),
  pin: appLockPinSchema.optional(),
});
export type AppLockUpdate = z.output<typeof appLockUpdateSchema>;

/** `PUT /api/settings`: any subset of the known keys; unknown keys are refused. */
export const settingsUpdateSchema = z.strictObject({
  notificationsEnabled: notificationsEnabled.optional(),
  emailNotifications: emailNotifications.optional(),
  defaultMotionSensitivity: defaultMotionSensitivity.optional(),
  recordingQuality: recordingQualitySchema.optional(),
  storageDays: storageDays.optional(),
  appLock: appLockUpdateSchema.optional(),
});
export type SettingsUpdate = z.output<typeof settingsUpdateSchema>;

/** The schema of one key's new value in `PUT /api/settings/:key`. */
export const settingValueSchemas = {
  notificationsEnabled,
  emailNotifications,
  defaultMotionSensitivity,
  recordingQuality: recordingQualitySchema,
  storageDays,
  appLock: appLockUpdateSchema,
} as const satisfies Record<SettingKey, z.ZodType>;

/** `PUT /api/settings/:key` body; `value` is checked against the key's own schema. */
export const settingValueBodySchema = z.strictObject({
  value: z
    .union([z.boolean(), z.int(), z.string(), appLockUpdateSchema])
    .describe("New value; its type depends on the key (see PUT /api/settings)."),
});

/** `GET/PUT /api/settings/:key` data. */
export const settingValueViewSchema = z.object({
  key: settingKeySchema,
  value: z.union([z.boolean(), z.int(), recordingQualitySchema, appLockViewSchema]),
});

/** Version of the export file format; an import of another version is refused. */
export const SETTINGS_EXPORT_VERSION = 1;

/** `POST /api/settings/export` data, and the `POST /api/settings/import` body. */
export const settingsExportSchema = z.strictObject({
  version: z.literal(SETTINGS_EXPORT_VERSION).describe("Export format version."),
  exportedAt: z.iso.datetime({ offset: true }).describe("When the file was made (ISO 8601)."),
  settings: userSettingsSchema,
});
export type SettingsExport = z.output<typeof settingsExportSchema>;
