import { type Kysely, sql } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { DeviceRole } from "../devices/grants.js";
import { claimOpenSession, isUniqueViolation } from "./pairing-store.js";

/** The grant a successful claim left the claimer with. */
export interface ClaimGrant {
  role: DeviceRole;
  /** False when the claimer already held this role (nothing changed, nobody to notify). */
  added: boolean;
}

export interface ClaimRequest {
  sessionId: string;
  deviceId: string;
  userId: string;
  /** `device_grants.granted_by`: the inviting owner, or null for a device-origin session. */
  grantedBy: string | null;
  now: number;
}

/**
 * Claim a session and grant its device to the claimer, in one transaction: either both happen or
 * neither. Returns null when the claim lost (the session was no longer open: claimed by someone
 * else, burned, expired or cancelled).
 */
export async function claimAndGrant(
  db: Kysely<CloudDatabase>,
  req: ClaimRequest,
): Promise<ClaimGrant | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        if (!(await claimOpenSession(trx, req.sessionId, req.userId, req.now))) return null;
        const grant = await grantOnClaim(trx, req);
        await trx
          .updateTable("pairing_sessions")
          .set({ claimed_role: grant.role })
          .where("id", "=", req.sessionId)
          .execute();
        return grant;
      });
    } catch (err) {
      // Only two promotions racing for a device without an owner can hit the one-owner index (on
      // PostgreSQL that aborts the transaction). Run again: the loser now sees the owner.
      if (attempt < 3 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/**
 * The first claimer of a device without an owner becomes its owner; everyone after is a viewer.
 * The partial unique index `device_grants_one_owner_uq` decides races: the owner insert does
 * nothing when an owner exists, and the viewer insert is tried next. A user who already has a
 * grant keeps it, except that a viewer of a device left without an owner is promoted, exactly as a
 * new claimer would be.
 */
async function grantOnClaim(trx: Kysely<CloudDatabase>, req: ClaimRequest): Promise<ClaimGrant> {
  const insert = async (role: DeviceRole) => {
    const res = await trx
      .insertInto("device_grants")
      .values({
        device_id: req.deviceId,
        user_id: req.userId,
        role,
        granted_by: req.grantedBy,
        created_at: req.now,
      })
      // No conflict target: covers both the (device, user) key and the one-owner index.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  };
  if (await insert("owner")) return { role: "owner", added: true };
  if (await insert("viewer")) return { role: "viewer", added: true };
  const promoted = await trx
    .updateTable("device_grants")
    .set({ role: "owner" })
    .where("device_id", "=", req.deviceId)
    .where("user_id", "=", req.userId)
    .where("role", "=", "viewer")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("device_grants as o")
            .select(sql.lit(1).as("one"))
            .where("o.device_id", "=", req.deviceId)
            .where("o.role", "=", "owner"),
        ),
      ),
    )
    .executeTakeFirst();
  if (Number(promoted.numUpdatedRows) === 1) return { role: "owner", added: true };
  const existing = await trx
    .selectFrom("device_grants")
    .select("role")
    .where("device_id", "=", req.deviceId)
    .where("user_id", "=", req.userId)
    .executeTakeFirstOrThrow();
  return { role: existing.role, added: false };
}
