import { z } from "zod";
import { entityIdSchema } from "../mqtt/bodies/common.js";
import { s3StorageConfigSchema, storageDriverSchema } from "./storage.js";

// Storage providers (issue 7 §4; seed 001's `Providers` / `UserProviders`): admins manage the
// deployment's providers, a user may bring their own S3 bucket. Credentials are write-only: every
// view says `hasCredentials` and nothing more.

const s3 = s3StorageConfigSchema.shape;

/** Write-only S3 credentials. */
export const providerCredentialsSchema = z
  .strictObject({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey })
  .describe("Write-only: stored encrypted, never returned or logged.");
export type ProviderCredentials = z.output<typeof providerCredentialsSchema>;

/** Free-form further settings of a provider (small, flat JSON values). */
export const providerSettingsSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/),
    z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]),
  )
  .refine((o) => Object.keys(o).length <= 32, { message: "at most 32 settings" });

const providerName = z.string().trim().min(1).max(100);

/** A provider as every route shows it (never its credentials). */
export const providerViewSchema = z.object({
  id: entityIdSchema,
  name: z.string(),
  driver: storageDriverSchema,
  endpoint: z.string().nullable(),
  bucket: z.string().nullable(),
  region: z.string().nullable(),
  forcePathStyle: z.boolean(),
  hasCredentials: z.boolean().describe("True when credentials are stored; they are never returned."),
  allowVideos: z.boolean(),
  allowImages: z.boolean(),
  isActive: z.boolean(),
  isDefault: z.boolean(),
  settings: providerSettingsSchema.nullable(),
  /** Null for an admin's provider; the user's id for a user's own bucket. */
  ownerUserId: entityIdSchema.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ProviderView = z.output<typeof providerViewSchema>;

/** `GET /api/admin/providers` answer. */
export const providerListSchema = z.array(providerViewSchema);

const connectionFields = {
  endpoint: s3.endpoint,
  bucket: s3.bucket.optional(),
  region: s3.region.optional(),
  forcePathStyle: z.boolean().optional(),
  credentials: providerCredentialsSchema.optional(),
};

const s3Complete = (b: {
  driver?: string | undefined;
  bucket?: string | undefined;
  region?: string | undefined;
}) => b.driver !== "s3" || (b.bucket !== undefined && b.region !== undefined);

/** `POST /api/admin/providers` body. An s3 provider is proven by a test upload before it is saved. */
export const providerCreateBodySchema = z
  .strictObject({
    name: providerName,
    driver: storageDriverSchema,
    ...connectionFields,
    allowVideos: z.boolean().default(true),
    allowImages: z.boolean().default(true),
    isActive: z.boolean().default(true),
    isDefault: z.boolean().default(false).describe("Uploads of users without a bucket of their own go here."),
    settings: providerSettingsSchema.optional(),
  })
  .refine(s3Complete, { message: "an s3 provider needs bucket and region", path: ["bucket"] })
  .refine((b) => b.driver !== "s3" || b.credentials !== undefined, {
    message: "an s3 provider needs credentials",
    path: ["credentials"],
  });
export type ProviderCreateBody = z.output<typeof providerCreateBodySchema>;

/** `PATCH /api/admin/providers/:id` body: only what changes (the driver is fixed). */
export const providerPatchBodySchema = z
  .strictObject({
    name: providerName.optional(),
    ...connectionFields,
    allowVideos: z.boolean().optional(),
    allowImages: z.boolean().optional(),
    isActive: z.boolean().optional(),
    isDefault: z.boolean().optional(),
    settings: providerSettingsSchema.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to change" });
export type ProviderPatchBody = z.output<typeof providerPatchBodySchema>;

/** `DELETE /api/admin/providers/:id` answer. */
export const providerDeletedSchema = z.object({ id: entityIdSchema, deleted: z.literal(true) });

/** Where a user's devices upload now. */
export const providerSourceSchema = z
  .enum(["own", "default", "embedded"])
  .describe(
    "own: the user's bucket; default: the admin's default provider; embedded: the deployment's store",
  );

/** `GET /api/storage/provider` (and PUT/DELETE) answer. */
export const userProviderViewSchema = z.object({
  source: providerSourceSchema,
  /** The provider in use; null for the embedded store. */
  provider: providerViewSchema.nullable(),
});
export type UserProviderView = z.output<typeof userProviderViewSchema>;

/** `PUT /api/storage/provider` body: the user's own S3 bucket, proven by a test upload first. */
export const userProviderPutBodySchema = z.strictObject({
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  region: s3.region,
  forcePathStyle: z.boolean().default(false),
  credentials: providerCredentialsSchema,
});
export type UserProviderPutBody = z.output<typeof userProviderPutBodySchema>;
