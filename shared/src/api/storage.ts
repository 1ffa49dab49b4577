import { z } from "zod";
import { TOKEN_ID_RE } from "../mqtt/topics.js";

// Object storage provider settings (design §4 "Storage"): the embedded `fs` driver or any
// S3-compatible service. Used by the admin's providers and by a user's own bucket.

/** The storage drivers the cloud knows. */
export const STORAGE_DRIVERS = ["fs", "s3"] as const;
export const storageDriverSchema = z.enum(STORAGE_DRIVERS).describe("fs | s3");
export type StorageDriverKind = z.output<typeof storageDriverSchema>;

/** The embedded driver: objects under `<stateDir>/objects`, URLs signed and served by the cloud. */
export const fsStorageConfigSchema = z.strictObject({
  driver: z.literal("fs"),
});

/** Any S3-compatible service (AWS, MinIO, Garage, Backblaze B2, …). */
export const s3StorageConfigSchema = z.strictObject({
  driver: z.literal("s3"),
  endpoint: z.url().optional().describe("Service URL; AWS's regional endpoint when absent."),
  region: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .describe("Signing region (`us-east-1` for most non-AWS services)."),
  // S3 bucket naming rules (3–63 chars, lower-case letters, digits, dots, hyphens).
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .describe("Bucket name."),
  accessKeyId: z.string().min(1).max(256).describe("Access key id."),
  secretAccessKey: z.string().min(1).max(256).describe("Secret access key; never returned or logged."),
  forcePathStyle: z
    .boolean()
    .default(false)
    .describe("Address the bucket as `<endpoint>/<bucket>` (MinIO, most self-hosted services)."),
});

/** A storage provider's driver settings, discriminated by `driver`. */
export const storageConfigSchema = z.discriminatedUnion("driver", [
  fsStorageConfigSchema,
  s3StorageConfigSchema,
]);
export type StorageConfig = z.output<typeof storageConfigSchema>;
export type StorageConfigInput = z.input<typeof storageConfigSchema>;
export type S3StorageConfig = z.output<typeof s3StorageConfigSchema>;

/**
 * The key prefix every object a device uploads lives under: `devices/<deviceId>/`. The cloud
 * presigns nothing outside the caller's prefix, so one device can never overwrite another's clips.
 */
export function deviceObjectPrefix(deviceId: string): string {
  if (!TOKEN_ID_RE.test(deviceId)) throw new RangeError("invalid device id");
  return `devices/${deviceId}/`;
}
