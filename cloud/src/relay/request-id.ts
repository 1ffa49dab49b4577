import { createHash } from "node:crypto";

/**
 * The request id sent to the device for a REST caller's own `requestId`. Scoped to the caller and
 * the device, so two users (or two devices) choosing the same id never share a result; and derived
 * deterministically, so a retry after a cloud restart reaches the agent with the same id and its
 * own de-duplication answers it without executing twice. 32 base64url characters = 192 bits.
 */
export function scopedRequestId(userId: string, deviceId: string, requestId: string): string {
  return createHash("sha256").update(`${userId}\n${deviceId}\n${requestId}`).digest("base64url").slice(0, 32);
}
