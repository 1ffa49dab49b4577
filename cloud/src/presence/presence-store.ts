import {
  cameraStatusSchema,
  type MessageBody,
  reasonSchema,
  type ViewerEvent,
  type viewerCameraStatusSchema,
} from "@homecam/shared";
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { CloudDatabase } from "../db/schema.js";

/** The `device.status` viewer event. */
export type DeviceStatusEvent = Extract<ViewerEvent, { type: "device.status" }>;
type ViewerCamera = z.output<typeof viewerCameraStatusSchema>;
type CameraReport = { id: string; status: string; reason?: string | undefined };

/**
 * Presence in the database: the `devices` row (status, agent version, latest telemetry) and the
 * cameras' live status. Kept in SQL, not memory, so every cloud instance answers the same.
 */
export class PresenceStore {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  /** Record a `device.status` message. False when the device is unknown. */
  async applyStatus(deviceId: string, body: MessageBody<"device.status">, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable("devices")
        .set({
          status: body.state,
          status_at: now,
          last_seen_at: now,
          ...(body.agentVersion !== undefined ? { agent_version: body.agentVersion } : {}),
        })
        .where("id", "=", deviceId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await updateCameras(trx, deviceId, body.cameras ?? []);
      return true;
    });
  }

  /**
   * Record a `device.telemetry` sample (MQTT or the HTTP heartbeat); `markOnline` also sets the
   * device online (the heartbeat is proof of life). Returns the previous status, or null when the
   * device is unknown.
   */
  async applyTelemetry(
    deviceId: string,
    body: MessageBody<"device.telemetry">,
    now: number,
    markOnline = false,
  ): Promise<DeviceStatusName | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("devices")
        .select("status")
        .where("id", "=", deviceId)
        .executeTakeFirst();
      if (!row) return null;
      await trx
        .updateTable("devices")
        .set({
          telemetry_json: JSON.stringify(body),
          telemetry_at: now,
          last_seen_at: now,
          ...(markOnline ? { status: "online" as const, status_at: now } : {}),
        })
        .where("id", "=", deviceId)
        .execute();
      await updateCameras(trx, deviceId, body.cameras);
      return row.status;
    });
  }

  /** Set the device offline if the database still says online. True when it changed. */
  async markOffline(deviceId: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable("devices")
      .set({ status: "offline", status_at: now })
      .where("id", "=", deviceId)
      .where("status", "=", "online")
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Every device still marked online; returns how many were reset. */
  async resetOnline(now: number): Promise<number> {
    const res = await this.db
      .updateTable("devices")
      .set({ status: "offline", status_at: now })
      .where("status", "=", "online")
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Devices marked online that have shown no sign of life (any message, heartbeat) since `before`. */
  async silentOnline(before: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("devices")
      .select("id")
      .where("status", "=", "online")
      .where((eb) => eb.or([eb("last_seen_at", "is", null), eb("last_seen_at", "<", before)]))
      .execute();
    return rows.map((r) => r.id);
  }

  /** The agent's camera ids → cloud ids of the device's visible cameras. */
  async cloudCameraIds(deviceId: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom("cameras")
      .select(["id", "local_id"])
      .where("device_id", "=", deviceId)
      .where("removed_at", "is", null)
      .execute();
    return new Map(rows.map((r) => [r.local_id, r.id]));
  }

  /** The `device.status` event of one device as the database has it; null when unknown. */
  async statusEvent(deviceId: string, now: number): Promise<DeviceStatusEvent | null> {
    const [event] = await this.statusEvents([deviceId], now);
    return event ?? null;
  }

  /** `device.status` events of every device `userId` holds a grant on (a viewer's first view). */
  async statusEventsForUser(userId: string, now: number): Promise<DeviceStatusEvent[]> {
    const grants = await this.db
      .selectFrom("device_grants")
      .select("device_id")
      .where("user_id", "=", userId)
      .execute();
    return this.statusEvents(
      grants.map((g) => g.device_id),
      now,
    );
  }

  private async statusEvents(deviceIds: string[], now: number): Promise<DeviceStatusEvent[]> {
    if (deviceIds.length === 0) return [];
    const devices = await this.db
      .selectFrom("devices")
      .select(["id", "status", "status_at"])
      .where("id", "in", deviceIds)
      .orderBy("id")
      .execute();
    const cameras = await this.db
      .selectFrom("cameras")
      .select(["id", "device_id", "status", "status_reason"])
      .where("device_id", "in", deviceIds)
      .where("removed_at", "is", null)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return devices.map((d) => ({
      type: "device.status",
      deviceId: d.id,
      at: d.status_at ?? now,
      // "unknown" (never connected) is offline to a viewer.
      status: d.status === "online" ? "online" : "offline",
      cameras: cameras.filter((c) => c.device_id === d.id).map(viewerCamera),
    }));
  }
}

/** `devices.status`. */
export type DeviceStatusName = CloudDatabase["devices"]["status"];

async function updateCameras(
  trx: Kysely<CloudDatabase>,
  deviceId: string,
  cameras: readonly CameraReport[],
): Promise<void> {
  for (const camera of cameras) {
    await trx
      .updateTable("cameras")
      .set({ status: camera.status, status_reason: camera.reason ?? null })
      .where("device_id", "=", deviceId)
      .where("local_id", "=", camera.id)
      .execute();
  }
}

function viewerCamera(row: { id: string; status: string; status_reason: string | null }): ViewerCamera {
  const status = cameraStatusSchema.safeParse(row.status);
  const reason = reasonSchema.safeParse(row.status_reason);
  return {
    id: row.id,
    status: status.success ? status.data : "unknown",
    ...(reason.success ? { reason: reason.data } : {}),
  };
}
