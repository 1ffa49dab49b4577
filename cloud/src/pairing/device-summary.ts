import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";

/** A device as pairing shows it: its name and visible cameras (cloud ids). */
export interface DeviceSummary {
  id: string;
  name: string;
  cameras: { id: string; name: string }[];
}

/** The device and its cameras that are not removed, oldest first; null when the device is unknown. */
export async function deviceSummary(
  db: Kysely<CloudDatabase>,
  deviceId: string,
): Promise<DeviceSummary | null> {
  const device = await db
    .selectFrom("devices")
    .select(["id", "name"])
    .where("id", "=", deviceId)
    .executeTakeFirst();
  if (!device) return null;
  const cameras = await db
    .selectFrom("cameras")
    .select(["id", "name"])
    .where("device_id", "=", deviceId)
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return { id: device.id, name: device.name, cameras };
}
