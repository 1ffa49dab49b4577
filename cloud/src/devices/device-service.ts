import { ApiError, type DeviceView } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { DeviceCommander, ViewerPush } from "../rendezvous/context.js";
import type { Clock } from "../security/clock.js";
import type { AccessLog } from "./access-log.js";
import type { CameraService } from "./camera-service.js";
import { type DevicesDeps, notifyAgent } from "./devices-deps.js";
import type { DeviceRole } from "./grants.js";
import { DEVICE_COLUMNS, deviceView } from "./views.js";

/** A grant that unpairing deleted. */
export interface FormerGrant {
  userId: string;
  role: DeviceRole;
}

/**
 * Devices as their grant holders see them, renaming, and unpairing. Access checks are the caller's
 * job (device-access.ts).
 */
export class DeviceService {
  private readonly db: Kysely<CloudDatabase>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly accessLog: AccessLog;
  private readonly commander: DeviceCommander;
  private readonly push: ViewerPush;

  constructor(
    deps: DevicesDeps,
    private readonly cameras: CameraService,
  ) {
    this.db = deps.ctx.db;
    this.clock = deps.ctx.clock;
    this.log = moduleLogger(deps.ctx.log, "devices");
    this.accessLog = deps.ctx.accessLog;
    this.commander = deps.commander;
    this.push = deps.push;
  }

  /** Every device `userId` holds a grant on, oldest pairing first, with its visible cameras. */
  async listForUser(userId: string): Promise<DeviceView[]> {
    const rows = await this.db
      .selectFrom("devices")
      .innerJoin("device_grants", "device_grants.device_id", "devices.id")
      .select([...DEVICE_COLUMNS, "device_grants.role"])
      .where("device_grants.user_id", "=", userId)
      .orderBy("device_grants.created_at")
      .orderBy("devices.id")
      .execute();
    const cameras = await this.cameras.visibleByDevice(new Map(rows.map((r) => [r.id, r.role])));
    return rows.map((r) => deviceView(r, r.role, cameras.get(r.id) ?? []));
  }

  /** One device's view for a caller with `role`. */
  async get(deviceId: string, role: DeviceRole): Promise<DeviceView> {
    const row = await this.db
      .selectFrom("devices")
      .select([...DEVICE_COLUMNS])
      .where("devices.id", "=", deviceId)
      .executeTakeFirst();
    if (!row) throw new ApiError("E_NOT_FOUND", "no such device");
    const cameras = await this.cameras.visibleByDevice(new Map([[deviceId, role]]));
    return deviceView(row, role, cameras.get(deviceId) ?? []);
  }

  /** The owner renames the device. */
  async rename(ownerId: string, deviceId: string, name: string): Promise<DeviceView> {
    await this.db.updateTable("devices").set({ name }).where("id", "=", deviceId).execute();
    await this.accessLog.record({ deviceId, userId: ownerId, action: "device.rename", outcome: "ok" });
    return this.get(deviceId, "owner");
  }

  /**
   * The owner unpairs the device: every grant goes (theirs too) and open pairing sessions are
   * cancelled, in one transaction. The device row and its cameras stay for a later re-pair — with no
   * grant left nobody sees them. Former holders are told (`device.removed`), viewers' open sessions
   * end, and the agent drops every former holder's live sessions and LAN tokens.
   */
  async unpair(ownerId: string, deviceId: string): Promise<FormerGrant[]> {
    const former = await this.db.transaction().execute(async (trx) => {
      // RETURNING, not a select first: a claim committed meanwhile is deleted and reported too.
      const deleted = await trx
        .deleteFrom("device_grants")
        .where("device_id", "=", deviceId)
        .returning(["user_id", "role"])
        .execute();
      await trx
        .updateTable("pairing_sessions")
        .set({ state: "cancelled" })
        .where("device_id", "=", deviceId)
        .where("state", "=", "open")
        .execute();
      return deleted.map((g): FormerGrant => ({ userId: g.user_id, role: g.role }));
    });
    const at = this.clock.now();
    this.push.toUsers(
      former.map((g) => g.userId),
      { type: "device.removed", deviceId, at },
    );
    for (const g of former) {
      if (g.role === "viewer") this.push.revoked(g.userId, deviceId);
      notifyAgent(this.commander, this.log, deviceId, { name: "grants.revoked", args: { userId: g.userId } });
    }
    await this.accessLog.record({
      deviceId,
      userId: ownerId,
      action: "device.unpair",
      outcome: "ok",
      detail: `${former.length} grant(s) deleted`,
    });
    return former;
  }
}
