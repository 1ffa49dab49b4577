import { ApiError, type DeviceGrantView } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { DeviceCommander, ViewerPush } from "../rendezvous/context.js";
import type { Clock } from "../security/clock.js";
import type { AccessLog } from "./access-log.js";
import { type DevicesDeps, notifyAgent } from "./devices-deps.js";
import { grantView } from "./views.js";

/**
 * A device's grants: the owner's list, and removing a viewer (revoked by the owner, or leaving).
 * Access checks are the caller's job (device-access.ts `requireGrantRemoval`).
 */
export class GrantService {
  private readonly db: Kysely<CloudDatabase>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly accessLog: AccessLog;
  private readonly commander: DeviceCommander;
  private readonly push: ViewerPush;

  constructor(deps: DevicesDeps) {
    this.db = deps.ctx.db;
    this.clock = deps.ctx.clock;
    this.log = moduleLogger(deps.ctx.log, "devices");
    this.accessLog = deps.ctx.accessLog;
    this.commander = deps.commander;
    this.push = deps.push;
  }

  /** Every grant on the device with its user, the owner first, then by age. */
  async list(deviceId: string): Promise<DeviceGrantView[]> {
    const rows = await this.db
      .selectFrom("device_grants")
      .innerJoin("users", "users.id", "device_grants.user_id")
      .select([
        "device_grants.user_id",
        "users.name",
        "users.email",
        "device_grants.role",
        "device_grants.granted_by",
        "device_grants.created_at",
      ])
      .where("device_grants.device_id", "=", deviceId)
      .orderBy("device_grants.created_at")
      .orderBy("device_grants.user_id")
      .execute();
    const owners = rows.filter((r) => r.role === "owner");
    return [...owners, ...rows.filter((r) => r.role !== "owner")].map(grantView);
  }

  /**
   * Remove `userId`'s viewer grant; `actorId` is the owner revoking it or the viewer leaving.
   * From the moment the row is gone every request of that user is a 404; then the hub ends their
   * live sessions (`ViewerPush.revoked`), the owner's other tabs hear of it, and the agent is told
   * without waiting for it.
   */
  async removeViewer(actorId: string, deviceId: string, userId: string): Promise<void> {
    const res = await this.db
      .deleteFrom("device_grants")
      .where("device_id", "=", deviceId)
      .where("user_id", "=", userId)
      // Owners are never removed here: they unpair or transfer the device instead.
      .where("role", "=", "viewer")
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new ApiError("E_NOT_FOUND", "no such grant");
    this.push.revoked(userId, deviceId);
    const owners = await this.db
      .selectFrom("device_grants")
      .select("user_id")
      .where("device_id", "=", deviceId)
      .where("role", "=", "owner")
      .execute();
    this.push.toUsers(
      owners.map((o) => o.user_id),
      { type: "grant.revoked", deviceId, userId, at: this.clock.now() },
    );
    notifyAgent(this.commander, this.log, deviceId, { name: "grants.revoked", args: { userId } });
    const leaving = actorId === userId;
    await this.accessLog.record({
      deviceId,
      userId: actorId,
      action: leaving ? "grant.leave" : "grant.revoke",
      outcome: "ok",
      detail: leaving ? null : `viewer ${userId}`,
    });
  }
}
