import { deviceRoleSchema } from "@homecam/shared";
import { z } from "zod";

// The local viewer as stored in the agent's kv table (the request schemas are in
// shared/src/api/lan-tokens.ts, next to the tokens they lead to).

export const storedLocalViewerSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: deviceRoleSchema,
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  secretHash: z.string().nullable(),
});
