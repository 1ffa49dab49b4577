import { z } from "zod";
import { epochMsSchema } from "../mqtt/bodies/common.js";

// Integration API keys (seed 001's `ApiKeys`). The secret is `hc_` + 43 base64url characters
// (32 random bytes), shown once at creation; the cloud keeps only its SHA-256 and a short prefix.

/** Shape of an API key secret. */
export const API_KEY_SECRET_RE = /^hc_[A-Za-z0-9_-]{43}$/;

/** An API key as listed (never the secret). */
export const apiKeyViewSchema = z.object({
  id: z.string().describe("Key id (use it to delete the key)."),
  name: z.string().describe("What the key is for."),
  prefix: z.string().describe("First characters of the secret, to recognise it."),
  createdAt: epochMsSchema,
  expiresAt: epochMsSchema.nullable().describe("After this the key is refused; null = never."),
  lastUsedAt: epochMsSchema.nullable().describe("Last successful use (updated at most once a minute)."),
});
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

/** `GET /api/api-keys` data. */
export const apiKeyListSchema = z.object({ keys: z.array(apiKeyViewSchema) });

/** `POST /api/api-keys` body. */
export const apiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).describe("What the key is for, e.g. Home Assistant."),
  expiresAt: epochMsSchema.optional().describe("Expiry (epoch ms, in the future); absent = never expires."),
});

/** `POST /api/api-keys` data: the key and its secret, which is never shown again. */
export const apiKeyCreatedSchema = z.object({
  key: apiKeyViewSchema,
  secret: z.string().regex(API_KEY_SECRET_RE).describe("Bearer secret. Shown once: store it now."),
});

/** `DELETE /api/api-keys` body (the seed's path; `DELETE /api/api-keys/:id` does the same). */
export const apiKeyDeleteSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe("Id of the key to delete."),
});

/** `DELETE /api/api-keys[/:id]` data. */
export const apiKeyDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
