import type { NotificationStats, NotificationView, PageCursor } from "@homecam/shared";
import { type Kysely, sql } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import { toFlag } from "../db/portable.js";
import type { CloudDatabase } from "../db/schema.js";
import type { NotificationsTable } from "../db/schema-notifications.js";
import { notificationView } from "./notification-views.js";

const DAY_MS = 86_400_000;
const DEFAULT_PAGE = 50;

/** Filters of the notification list (always within the caller's own). */
export interface NotificationFilter {
  type?: NotificationsTable["type"] | undefined;
  priority?: NotificationsTable["priority"] | undefined;
  isRead?: boolean | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

function ownNotifications(db: Kysely<CloudDatabase>, userId: string, f: NotificationFilter) {
  let q = db.selectFrom("notifications").selectAll().where("user_id", "=", userId);
  if (f.type !== undefined) q = q.where("type", "=", f.type);
  if (f.priority !== undefined) q = q.where("priority", "=", f.priority);
  if (f.isRead !== undefined) q = q.where("is_read", "=", toFlag(f.isRead));
  if (f.from !== undefined) q = q.where("created_at", ">=", f.from);
  if (f.to !== undefined) q = q.where("created_at", "<", f.to);
  return q;
}

/** The caller's notifications, newest first, keyset-paginated on (created_at, id). */
export async function notificationPage(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: NotificationFilter,
  page: { limit?: number | undefined; cursor?: PageCursor | undefined },
): Promise<{ notifications: NotificationView[]; nextCursor: string | null }> {
  const result = await newestFirstPage(
    ownNotifications(db, userId, filter),
    page.cursor,
    page.limit ?? DEFAULT_PAGE,
  );
  return { notifications: result.rows.map(notificationView), nextCursor: result.nextCursor };
}

const byKey = <K extends string | number>([a]: [K, number], [b]: [K, number]) => (a < b ? -1 : a > b ? 1 : 0);

/** Counts of the caller's notifications per type, per priority and per UTC day, and how many unread. */
export async function notificationStats(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: Pick<NotificationFilter, "from" | "to">,
): Promise<NotificationStats> {
  // Integer division on both dialects (bigint / integer): the day number since the epoch.
  const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
  const rows = await ownNotifications(db, userId, filter)
    .clearSelect()
    .select((eb) => [day.as("day"), "type", "priority", "is_read", eb.fn.countAll<number>().as("n")])
    .groupBy([day, "type", "priority", "is_read"])
    .execute();
  const byDay = new Map<number, number>();
  const byType = new Map<NotificationsTable["type"], number>();
  const byPriority = new Map<NotificationsTable["priority"], number>();
  let total = 0;
  let unread = 0;
  for (const r of rows) {
    const n = Number(r.n);
    total += n;
    if (Number(r.is_read) === 0) unread += n;
    byDay.set(Number(r.day), (byDay.get(Number(r.day)) ?? 0) + n);
    byType.set(r.type, (byType.get(r.type) ?? 0) + n);
    byPriority.set(r.priority, (byPriority.get(r.priority) ?? 0) + n);
  }
  return {
    total,
    unread,
    byType: [...byType.entries()].sort(byKey).map(([type, count]) => ({ type, count })),
    byPriority: [...byPriority.entries()].sort(byKey).map(([priority, count]) => ({ priority, count })),
    byDay: [...byDay.entries()]
      .sort(byKey)
      .map(([d, count]) => ({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), count })),
  };
}
