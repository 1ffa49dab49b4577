import { randomBytes } from "node:crypto";
import type { NotificationPriority, NotificationType, NotificationView } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { NotificationsTable } from "../db/schema-notifications.js";

/** One notification to write for one user. */
export interface NewNotification {
  userId: string;
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  message: string;
  metadata?: NotificationView["metadata"] | undefined;
  deviceId?: string | null | undefined;
  cameraId?: string | null | undefined;
  eventId?: string | null | undefined;
  /** Exactly once per (user, key): a second notification with the same key is not written. */
  dedupeKey?: string | null | undefined;
}

/** A new notification id. */
export function newNotificationId(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * The notifications table, always scoped to one user: a row of another user is "not found", so
 * another user's id answers exactly like an unknown one.
 */
export class NotificationStore {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  /** Write notifications; returns the rows written (those whose dedupe key was new). */
  async insert(items: readonly NewNotification[], now: number): Promise<NotificationsTable[]> {
    if (items.length === 0) return [];
    const rows: NotificationsTable[] = items.map((n) => ({
      id: newNotificationId(),
      user_id: n.userId,
      type: n.type,
      priority: n.priority,
      title: n.title,
      message: n.message,
      metadata_json: n.metadata && Object.keys(n.metadata).length > 0 ? JSON.stringify(n.metadata) : null,
      device_id: n.deviceId ?? null,
      camera_id: n.cameraId ?? null,
      event_id: n.eventId ?? null,
      dedupe_key: n.dedupeKey ?? null,
      is_read: 0,
      read_at: null,
      created_at: now,
    }));
    const written = await this.db
      .insertInto("notifications")
      .values(rows)
      .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
      .returning("id")
      .execute();
    const ids = new Set(written.map((r) => r.id));
    return rows.filter((r) => ids.has(r.id));
  }

  get(userId: string, id: string): Promise<NotificationsTable | undefined> {
    return this.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** True when the user's notification existed and is gone. */
  async delete(userId: string, id: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom("notifications")
      .where("user_id", "=", userId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Mark one read (keeps the first read time); the row, or undefined when not the user's. */
  async markRead(userId: string, id: string, now: number): Promise<NotificationsTable | undefined> {
    await this.db
      .updateTable("notifications")
      .set({ is_read: 1, read_at: now })
      .where("user_id", "=", userId)
      .where("id", "=", id)
      .where("is_read", "=", 0)
      .execute();
    return this.get(userId, id);
  }

  /** Mark every unread notification of the user read; returns how many changed. */
  async markAllRead(userId: string, now: number): Promise<number> {
    const res = await this.db
      .updateTable("notifications")
      .set({ is_read: 1, read_at: now })
      .where("user_id", "=", userId)
      .where("is_read", "=", 0)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("is_read", "=", 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Of `userIds`, those with a notification of `type` about `cameraId` created at or after `since`. */
  async recentlyNotified(
    userIds: readonly string[],
    cameraId: string,
    type: NotificationType,
    since: number,
  ): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("notifications")
      .select("user_id")
      .distinct()
      .where("user_id", "in", [...userIds])
      .where("camera_id", "=", cameraId)
      .where("type", "=", type)
      .where("created_at", ">=", since)
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }
}
