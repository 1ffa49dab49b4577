import { randomBytes } from "node:crypto";
import { ApiError, type CameraStats, type CameraView } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { Clock } from "../security/clock.js";
import { cameraStats } from "./camera-stats.js";
import type { DeviceRole } from "./grants.js";
import { CAMERA_COLUMNS, cameraView } from "./views.js";

/** One camera as a device registers it. */
export interface CameraRegistration {
  localId: string;
  name: string;
  location?: string | undefined;
  sourceKind?: string | undefined;
}

/** What a device learns from registering: the cloud id of each camera. */
export interface RegisteredCamera {
  id: string;
  localId: string;
  removed: boolean;
}

/** The part of an agent camera config the cloud keeps when an owner adds a source. */
export interface AddedCamera {
  id: string;
  name: string;
  source: { type: string };
}

/** `PUT /api/cameras/:id` changes. */
export interface CameraPatch {
  name?: string | undefined;
  location?: string | null | undefined;
}

/** Cloud camera ids: 16 random bytes, base64url (opaque, unguessable). */
function newCameraId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * The `cameras` table: what devices register, what owners add, rename and remove, and the views
 * grant holders read. Access checks are the caller's job (device-access.ts); this class trusts
 * the ids it is given.
 */
export class CameraService {
  constructor(
    private readonly db: Kysely<CloudDatabase>,
    private readonly clock: Clock,
  ) {}

  /** Every visible camera of every device `userId` holds a grant on. */
  async listForUser(userId: string): Promise<CameraView[]> {
    const rows = await this.db
      .selectFrom("cameras")
      .innerJoin("device_grants", "device_grants.device_id", "cameras.device_id")
      .innerJoin("devices", "devices.id", "cameras.device_id")
      .select([...CAMERA_COLUMNS, "device_grants.role", "devices.status as device_status"])
      .where("device_grants.user_id", "=", userId)
      .where("cameras.removed_at", "is", null)
      .orderBy("cameras.created_at")
      .orderBy("cameras.id")
      .execute();
    return rows.map((r) => cameraView(r, r.role, r.device_status));
  }

  /** The visible cameras of some devices, by device id, for a caller with the given role on each. */
  async visibleByDevice(roles: ReadonlyMap<string, DeviceRole>): Promise<Map<string, CameraView[]>> {
    const byDevice = new Map<string, CameraView[]>();
    if (roles.size === 0) return byDevice;
    const rows = await this.db
      .selectFrom("cameras")
      .innerJoin("devices", "devices.id", "cameras.device_id")
      .select([...CAMERA_COLUMNS, "devices.status as device_status"])
      .where("cameras.device_id", "in", [...roles.keys()])
      .where("cameras.removed_at", "is", null)
      .orderBy("cameras.created_at")
      .orderBy("cameras.id")
      .execute();
    for (const r of rows) {
      const role = roles.get(r.device_id);
      if (!role) continue;
      const list = byDevice.get(r.device_id) ?? [];
      list.push(cameraView(r, role, r.device_status));
      byDevice.set(r.device_id, list);
    }
    return byDevice;
  }

  /** A visible camera's view for a caller with `role`; 404 when it vanished meanwhile. */
  async get(cameraId: string, role: DeviceRole): Promise<CameraView> {
    const row = await this.db
      .selectFrom("cameras")
      .innerJoin("devices", "devices.id", "cameras.device_id")
      .select([...CAMERA_COLUMNS, "devices.status as device_status"])
      .where("cameras.id", "=", cameraId)
      .where("cameras.removed_at", "is", null)
      .executeTakeFirst();
    if (!row) throw new ApiError("E_NOT_FOUND", "no such camera");
    return cameraView(row, role, row.device_status);
  }

  /**
   * A device's cameras, upserted by (device, local id): new ones get a fresh cloud id, known ones
   * their new name and source kind. A camera the owner removed stays removed (and is reported so).
   * Answers in the order given.
   */
  async register(deviceId: string, cameras: readonly CameraRegistration[]): Promise<RegisteredCamera[]> {
    if (cameras.length === 0) return [];
    const now = this.clock.now();
    const localIds = cameras.map((c) => c.localId);
    return this.db.transaction().execute(async (trx) => {
      for (const cam of cameras) {
        await trx
          .insertInto("cameras")
          .values({
            id: newCameraId(),
            device_id: deviceId,
            local_id: cam.localId,
            name: cam.name,
            location: cam.location ?? null,
            source_kind: cam.sourceKind ?? null,
            status: "unknown",
            status_reason: null,
            created_at: now,
            updated_at: now,
            removed_at: null,
          })
          .onConflict((oc) =>
            // The name is the agent's only the first time: afterwards it is the owner's (PUT), and
            // an agent registering again must not undo a rename.
            oc.columns(["device_id", "local_id"]).doUpdateSet({
              // An agent that does not say its source kind keeps the one it said before.
              ...(cam.sourceKind ? { source_kind: cam.sourceKind } : {}),
              updated_at: now,
            }),
          )
          .execute();
      }
      const rows = await trx
        .selectFrom("cameras")
        .select(["id", "local_id", "removed_at"])
        .where("device_id", "=", deviceId)
        .where("local_id", "in", localIds)
        .execute();
      const byLocal = new Map(rows.map((r) => [r.local_id, r]));
      return cameras.map((cam) => {
        const row = byLocal.get(cam.localId);
        if (!row) throw new Error(`camera ${cam.localId} missing right after its upsert`);
        return { id: row.id, localId: row.local_id, removed: row.removed_at !== null };
      });
    });
  }

  /**
   * The row of a camera the owner just added through the agent. An owner adding a camera they once
   * removed brings it back: that is an explicit decision, unlike the agent re-registering it.
   */
  async upsertAdded(deviceId: string, camera: AddedCamera): Promise<CameraView> {
    const now = this.clock.now();
    await this.db
      .insertInto("cameras")
      .values({
        id: newCameraId(),
        device_id: deviceId,
        local_id: camera.id,
        name: camera.name,
        location: null,
        source_kind: camera.source.type,
        status: "unknown",
        status_reason: null,
        created_at: now,
        updated_at: now,
        removed_at: null,
      })
      .onConflict((oc) =>
        oc.columns(["device_id", "local_id"]).doUpdateSet({
          name: camera.name,
          source_kind: camera.source.type,
          removed_at: null,
          updated_at: now,
        }),
      )
      .execute();
    const { id } = await this.db
      .selectFrom("cameras")
      .select("id")
      .where("device_id", "=", deviceId)
      .where("local_id", "=", camera.id)
      .executeTakeFirstOrThrow();
    return this.get(id, "owner");
  }

  /** Rename or relocate a camera; answers its new view. */
  async update(cameraId: string, patch: CameraPatch, role: DeviceRole): Promise<CameraView> {
    await this.db
      .updateTable("cameras")
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.location !== undefined ? { location: patch.location } : {}),
        updated_at: this.clock.now(),
      })
      .where("id", "=", cameraId)
      .where("removed_at", "is", null)
      .execute();
    return this.get(cameraId, role);
  }

  /** Hide a camera from everyone; the agent re-registering it does not bring it back. */
  async remove(cameraId: string): Promise<void> {
    const now = this.clock.now();
    await this.db
      .updateTable("cameras")
      .set({ removed_at: now, updated_at: now })
      .where("id", "=", cameraId)
      .where("removed_at", "is", null)
      .execute();
  }

  /** A camera's figures from its device's latest telemetry sample. */
  async stats(cameraId: string): Promise<CameraStats> {
    const row = await this.db
      .selectFrom("cameras")
      .innerJoin("devices", "devices.id", "cameras.device_id")
      .select([
        "cameras.id",
        "cameras.local_id",
        "cameras.device_id",
        "devices.status",
        "devices.telemetry_json",
        "devices.telemetry_at",
      ])
      .where("cameras.id", "=", cameraId)
      .where("cameras.removed_at", "is", null)
      .executeTakeFirst();
    if (!row) throw new ApiError("E_NOT_FOUND", "no such camera");
    return cameraStats({
      cameraId: row.id,
      localId: row.local_id,
      deviceId: row.device_id,
      deviceStatus: row.status,
      telemetryJson: row.telemetry_json,
      telemetryAt: row.telemetry_at,
    });
  }
}
