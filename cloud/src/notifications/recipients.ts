import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";

// Who is told what. Settings default to on for a user without a `user_settings` row (the
// settings module answers its defaults until the user changes something), hence the left joins.

/** Active users holding a grant on `deviceId` (`owner` only when asked). */
function grantHolders(db: Kysely<CloudDatabase>, deviceId: string, ownersOnly: boolean) {
  let q = db
    .selectFrom("device_grants")
    .innerJoin("users", "users.id", "device_grants.user_id")
    .leftJoin("user_settings", "user_settings.user_id", "device_grants.user_id")
    .select("device_grants.user_id")
    .where("device_grants.device_id", "=", deviceId)
    .where("users.is_active", "=", 1);
  if (ownersOnly) q = q.where("device_grants.role", "=", "owner");
  return q;
}

/** Grant holders (owner or viewer) who have not switched notifications off: motion goes to them. */
export async function motionRecipients(db: Kysely<CloudDatabase>, deviceId: string): Promise<string[]> {
  const rows = await grantHolders(db, deviceId, false)
    .where((eb) =>
      eb.or([
        eb("user_settings.notifications_enabled", "is", null),
        eb("user_settings.notifications_enabled", "=", 1),
      ]),
    )
    .execute();
  return rows.map((r) => r.user_id);
}

/**
 * The device's owners: system and security notices (offline, a clip lost before upload) are the
 * owner's business, and go to them whatever their notification switch says (in-app at least;
 * push and e-mail still follow the settings).
 */
export async function ownerRecipients(db: Kysely<CloudDatabase>, deviceId: string): Promise<string[]> {
  const rows = await grantHolders(db, deviceId, true).execute();
  return rows.map((r) => r.user_id);
}

/** How a user may be reached besides the viewer socket. */
export interface DeliveryPrefs {
  userId: string;
  /** Web Push allowed (notifications switched on). */
  push: boolean;
  /** The verified address to e-mail, or null when e-mail is off, unverified or the user inactive. */
  email: string | null;
}

export async function deliveryPrefs(
  db: Kysely<CloudDatabase>,
  userIds: readonly string[],
): Promise<DeliveryPrefs[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom("users")
    .leftJoin("user_settings", "user_settings.user_id", "users.id")
    .select([
      "users.id",
      "users.email",
      "users.email_verified",
      "users.is_active",
      "user_settings.notifications_enabled",
      "user_settings.email_notifications",
    ])
    .where("users.id", "in", [...userIds])
    .execute();
  return rows.map((r) => {
    const active = r.is_active === 1;
    const push = active && (r.notifications_enabled ?? 1) === 1;
    const mail = push && (r.email_notifications ?? 1) === 1 && r.email_verified === 1;
    return { userId: r.id, push, email: mail ? r.email : null };
  });
}
