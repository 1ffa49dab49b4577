import type { EventStats, EventView, PageCursor } from "@homecam/shared";
import { type Kysely, sql } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import { toFlag } from "../db/portable.js";
import type { CloudDatabase, EventsTable } from "../db/schema.js";
import { visibleCameraIds } from "./event-access.js";
import { eventView } from "./views.js";

const DAY_MS = 86_400_000;
const DEFAULT_PAGE = 50;

/** Filters of the event list (the route checked `cameraId` against the caller's grants). */
export interface EventFilter {
  cameraId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  type?: EventsTable["type"] | undefined;
  minScore?: number | undefined;
  pinned?: boolean | undefined;
}

function visibleEvents(db: Kysely<CloudDatabase>, userId: string, f: EventFilter) {
  let q = db
    .selectFrom("events")
    .selectAll()
    .where("deleted_at", "is", null)
    .where("camera_id", "in", visibleCameraIds(db, userId));
  if (f.cameraId !== undefined) q = q.where("camera_id", "=", f.cameraId);
  if (f.from !== undefined) q = q.where("started_at", ">=", f.from);
  if (f.to !== undefined) q = q.where("started_at", "<", f.to);
  if (f.type !== undefined) q = q.where("type", "=", f.type);
  if (f.minScore !== undefined) q = q.where("score", ">=", f.minScore);
  if (f.pinned !== undefined) q = q.where("is_pinned", "=", toFlag(f.pinned));
  return q;
}

/**
 * The events of the caller's cameras, newest indexed first, keyset-paginated on (created_at, id):
 * the order the cloud learnt of them, stable while agents keep syncing.
 */
export async function eventPage(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: EventFilter,
  page: { limit?: number | undefined; cursor?: PageCursor | undefined },
): Promise<{ events: EventView[]; nextCursor: string | null }> {
  const result = await newestFirstPage(
    visibleEvents(db, userId, filter),
    page.cursor,
    page.limit ?? DEFAULT_PAGE,
  );
  return { events: result.rows.map(eventView), nextCursor: result.nextCursor };
}

/** Counts of the caller's events per UTC day (of `started_at`), per camera and per type. */
export async function eventStats(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: Pick<EventFilter, "cameraId" | "from" | "to">,
): Promise<EventStats> {
  // Integer division on both dialects (bigint / integer): the day number since the epoch.
  const day = sql<number>`started_at / ${sql.lit(DAY_MS)}`;
  const rows = await visibleEvents(db, userId, filter)
    .clearSelect()
    .select((eb) => [day.as("day"), "camera_id", "type", eb.fn.countAll<number>().as("n")])
    .groupBy([day, "camera_id", "type"])
    .execute();
  const byDay = new Map<number, number>();
  const byCamera = new Map<string, number>();
  const byType = new Map<EventsTable["type"], number>();
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    total += n;
    byDay.set(Number(r.day), (byDay.get(Number(r.day)) ?? 0) + n);
    byCamera.set(r.camera_id, (byCamera.get(r.camera_id) ?? 0) + n);
    byType.set(r.type, (byType.get(r.type) ?? 0) + n);
  }
  return {
    total,
    byDay: [...byDay.entries()]
      .sort(([a], [b]) => a - b)
      .map(([d, count]) => ({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), count })),
    byCamera: [...byCamera.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([cameraId, count]) => ({ cameraId, count })),
    byType: [...byType.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([type, count]) => ({ type, count })),
  };
}
