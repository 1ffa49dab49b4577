import { deviceRoleSchema } from "@homecam/shared";
import { z } from "zod";

// Request bodies of the local pairing routes and the stored viewer row.
// TODO(lead): move the two request schemas to shared/src/api/ next to lan-tokens.ts, so the
// viewer can import them (this helper could not edit shared/).

/** `POST /api/local/pair`: the PIN `homecam pair --local` printed, and a name for the viewer. */
export const localPairRequestSchema = z.strictObject({
  pin: z.string().regex(/^\d{6}$/, "must be the 6-digit PIN"),
  name: z.string().trim().min(1).max(64).optional(),
});

/** `POST /api/local/refresh`: renew a token with the secret the pairing answered. */
export const localRefreshRequestSchema = z.strictObject({
  viewerId: z.string().regex(/^lv_[A-Za-z0-9_-]{16}$/),
  refreshSecret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export const storedLocalViewerSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: deviceRoleSchema,
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  secretHash: z.string().nullable(),
});
