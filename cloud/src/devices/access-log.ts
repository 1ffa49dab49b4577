import { randomBytes } from "node:crypto";
import type { Logger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { Clock } from "../security/clock.js";

/** One access-log entry: who viewed or commanded what on a device. */
export interface AccessEntry {
  deviceId: string;
  userId: string | null;
  cameraId?: string | null;
  /** e.g. `command.snapshot`, `settings.set`, `grant.revoke`, `pair.claim`, `live.start`. */
  action: string;
  /** `ok`, `refused`, or an error code. */
  outcome: string;
  detail?: string | null;
}

/**
 * Appends to `device_access_log`. A failed insert is logged, never thrown: the audit trail must
 * not turn a successful command into an error for the viewer.
 */
export class AccessLog {
  private seq = 0;

  constructor(
    private readonly db: Kysely<CloudDatabase>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async record(entry: AccessEntry): Promise<void> {
    const now = this.clock.now();
    try {
      await this.db
        .insertInto("device_access_log")
        .values({
          // Time-ordered ids: sorting by (created_at, id) is insertion order within a millisecond.
          id: `${now.toString(36).padStart(9, "0")}${(this.seq++ % 1296).toString(36).padStart(2, "0")}${randomBytes(6).toString("base64url")}`,
          device_id: entry.deviceId,
          user_id: entry.userId,
          camera_id: entry.cameraId ?? null,
          action: entry.action,
          outcome: entry.outcome,
          detail: entry.detail ? entry.detail.slice(0, 500) : null,
          created_at: now,
        })
        .execute();
    } catch (err) {
      this.log.error({ err, action: entry.action }, "access log insert failed");
    }
  }
}
