import { randomBytes } from "node:crypto";

/**
 * A new row id: 128 random bits as 22 base64url characters. Random rather than sequential, so ids
 * made on different devices, or before and after a restore, never collide, and they fit the MQTT
 * bodies' `entityIdSchema` ([A-Za-z0-9_-]{1,64}) as they are.
 */
export function newId(): string {
  return randomBytes(16).toString("base64url");
}
