import type { activeConnectionSchema } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { CloudDatabase } from "../db/schema.js";

/** One entry of `GET /api/connection/active`. */
export type ActiveConnection = z.input<typeof activeConnectionSchema>;

/** A user with a viewer connection open on a device (from the live-session hub). */
export interface Watcher {
  userId: string;
  name: string;
}

/** Who is watching a device right now; the default knows of nobody. */
export type WatchingFn = (deviceId: string) => readonly Watcher[];

/**
 * Every device `userId` holds a grant on, with its presence, visible cameras and watchers. An
 * owner sees every watcher; a viewer sees only itself among them (who else watches is the
 * owner's business).
 */
export async function activeConnections(
  db: Kysely<CloudDatabase>,
  userId: string,
  watching: WatchingFn,
): Promise<ActiveConnection[]> {
  const grants = await db
    .selectFrom("device_grants as g")
    .innerJoin("devices as d", "d.id", "g.device_id")
    .select(["g.device_id", "g.role", "d.name", "d.status", "d.status_at"])
    .where("g.user_id", "=", userId)
    .orderBy("d.name")
    .orderBy("d.id")
    .execute();
  if (grants.length === 0) return [];
  const cameras = await db
    .selectFrom("cameras")
    .select(["id", "device_id", "name", "status"])
    .where(
      "device_id",
      "in",
      grants.map((g) => g.device_id),
    )
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return grants.map((g) => {
    const watchers = watching(g.device_id);
    return {
      deviceId: g.device_id,
      deviceName: g.name,
      role: g.role,
      status: g.status,
      statusAt: g.status_at === null ? null : new Date(g.status_at).toISOString(),
      cameras: cameras
        .filter((c) => c.device_id === g.device_id)
        .map((c) => ({ id: c.id, name: c.name, status: c.status })),
      watching: (g.role === "owner" ? watchers : watchers.filter((w) => w.userId === userId)).map((w) => ({
        userId: w.userId,
        name: w.name,
      })),
    };
  });
}
