import { z } from "zod";
import { TOKEN_ID_RE } from "../topics.js";

// Building blocks shared by the MQTT body schemas. Bodies are plain (stripping) objects, not strict
// ones: a receiver ignores members it does not know, so a sender may add an optional member without
// bumping the frame's `v`. Anything that changes meaning needs `v: 2`.

/** An opaque id used in bodies (camera, event, recording, user): `[A-Za-z0-9_-]{1,64}`. */
export const entityIdSchema = z.string().regex(TOKEN_ID_RE);

/** A camera id as configured on the agent. */
export const cameraIdSchema = entityIdSchema.describe("Camera id, as configured on the agent.");

/** Milliseconds since the Unix epoch, a safe non-negative integer. */
export const epochMsSchema = z.int().nonnegative().describe("Milliseconds since the Unix epoch.");

/** A non-negative integer duration in milliseconds. */
export const durationMsSchema = z.int().nonnegative().describe("Duration in milliseconds.");

/** A non-negative integer size in bytes. */
export const sizeBytesSchema = z.int().nonnegative().describe("Size in bytes.");

/** A short human- or machine-readable reason (for logs and the UI, not for branching). */
export const reasonSchema = z.string().min(1).max(256);

/** Lower-case hex SHA-256 digest. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A storage object key: `/`-separated segments of `[A-Za-z0-9._-]`, no empty, `.` or `..` segment,
 * no leading slash. The cloud still checks that the key lies under the sending device's prefix.
 */
export const objectKeySchema = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/)
  .refine((key) => key.split("/").every((s) => s !== "." && s !== ".."), "dot segment in object key");

/** Live state of one camera, as reported by the agent's capture supervisor. */
export const cameraStatusSchema = z.enum(["starting", "online", "reconnecting", "error", "disabled"]);

/** A number normalised to [0, 1]. */
export const unitSchema = z.number().min(0).max(1);
