import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";

/** A user's role on a device. */
export type DeviceRole = "owner" | "viewer";

/** The caller's role on `deviceId`, or null when the user has no grant (a stranger). */
export async function roleOn(
  db: Kysely<CloudDatabase>,
  userId: string,
  deviceId: string,
): Promise<DeviceRole | null> {
  const row = await db
    .selectFrom("device_grants")
    .select("role")
    .where("device_id", "=", deviceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** Users with a grant on `deviceId` (push targets for presence and events). */
export async function grantedUserIds(db: Kysely<CloudDatabase>, deviceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("device_grants")
    .select("user_id")
    .where("device_id", "=", deviceId)
    .execute();
  return rows.map((r) => r.user_id);
}

/** A camera row joined with what access checks need. */
export interface CameraRef {
  id: string;
  deviceId: string;
  localId: string;
  name: string;
}

/** A visible (not removed) camera by its cloud id; null when unknown. */
export async function cameraRef(db: Kysely<CloudDatabase>, cameraId: string): Promise<CameraRef | null> {
  const row = await db
    .selectFrom("cameras")
    .select(["id", "device_id", "local_id", "name"])
    .where("id", "=", cameraId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return row ? { id: row.id, deviceId: row.device_id, localId: row.local_id, name: row.name } : null;
}
