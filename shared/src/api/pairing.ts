import { z } from "zod";
import { entityIdSchema } from "../mqtt/bodies/common.js";
import { deviceIdSchema } from "../mqtt/topics.js";
import { pairingIdSchema, pinSchema } from "../pairing.js";

// REST schemas of pairing (DESIGN.md §4): `/api/qr/*`, `/api/connection/*`, invites.
// `POST /api/qr/generate` and `POST /api/devices/:id/invites` answer `pairingSessionSchema`
// (../pairing.ts).

/** A user's role on a device. */
export const deviceRoleSchema = z.enum(["owner", "viewer"]);
export type DeviceRoleName = z.output<typeof deviceRoleSchema>;

/** Lifecycle of a pairing session. */
export const pairingStateSchema = z.enum(["open", "claimed", "burned", "expired", "cancelled"]);
export type PairingState = z.output<typeof pairingStateSchema>;

/** `POST /api/qr/validate` and `POST /api/connection/establish` body: QR path or typed PIN. */
export const pairingClaimBodySchema = z.strictObject({
  pairingId: pairingIdSchema.optional().describe("From the QR code; omit when the PIN was typed."),
  pin: pinSchema,
});
export type PairingClaimBody = z.output<typeof pairingClaimBodySchema>;

/** What would be paired (validate, info) — and, for the issuing device, the session's state. */
export const pairingInfoSchema = z.object({
  pairingId: pairingIdSchema,
  state: pairingStateSchema,
  expiresAt: z.iso.datetime({ offset: true }),
  device: z.object({ id: deviceIdSchema, name: z.string() }),
  cameras: z.array(z.object({ id: entityIdSchema, name: z.string() })),
  /** The role the claimer got (claimed sessions, shown to the issuing device only). */
  claimedRole: deviceRoleSchema.nullable(),
});
export type PairingInfo = z.output<typeof pairingInfoSchema>;

/** `POST /api/connection/establish` answer: the device now paired to the caller. */
export const connectionEstablishedSchema = z.object({
  deviceId: deviceIdSchema,
  deviceName: z.string(),
  role: deviceRoleSchema,
  cameras: z.array(z.object({ id: entityIdSchema, name: z.string() })),
});

/** One entry of `GET /api/connection/active`. */
export const activeConnectionSchema = z.object({
  deviceId: deviceIdSchema,
  deviceName: z.string(),
  role: deviceRoleSchema,
  status: z.enum(["online", "offline", "unknown"]),
  statusAt: z.iso.datetime({ offset: true }).nullable(),
  cameras: z.array(z.object({ id: entityIdSchema, name: z.string(), status: z.string() })),
  /** Users with a viewer connection open on this device right now (owner sees all, viewer self). */
  watching: z.array(z.object({ userId: entityIdSchema, name: z.string() })),
});
export const activeConnectionsSchema = z.array(activeConnectionSchema);
