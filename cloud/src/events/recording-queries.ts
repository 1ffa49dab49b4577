import type { PageCursor, RecordingStats, RecordingView } from "@homecam/shared";
import { type Kysely, sql } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import type { CloudDatabase } from "../db/schema.js";
import { liveEventIds, visibleCameraIds } from "./event-access.js";
import { recordingView } from "./views.js";

const DEFAULT_PAGE = 50;

/** Filters of the recording list (the route checked `eventId`/`cameraId` against the grants). */
export interface RecordingFilter {
  eventId?: string | undefined;
  cameraId?: string | undefined;
  uploaded?: boolean | undefined;
}

/** Recordings of the caller's visible cameras, hiding deleted ones and those of deleted events. */
function visibleRecordings(db: Kysely<CloudDatabase>, userId: string, f: RecordingFilter) {
  let q = db
    .selectFrom("recordings")
    .selectAll()
    .where("camera_id", "in", visibleCameraIds(db, userId))
    .where("deleted_at", "is", null)
    .where((eb) => eb.or([eb("event_id", "is", null), eb("event_id", "in", liveEventIds(db))]));
  if (f.eventId !== undefined) q = q.where("event_id", "=", f.eventId);
  if (f.cameraId !== undefined) q = q.where("camera_id", "=", f.cameraId);
  if (f.uploaded !== undefined) q = q.where("uploaded_at", f.uploaded ? "is not" : "is", null);
  return q;
}

/** A page of the caller's recordings, newest indexed first. */
export async function recordingPage(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: RecordingFilter,
  page: { limit?: number | undefined; cursor?: PageCursor | undefined },
): Promise<{ recordings: RecordingView[]; nextCursor: string | null }> {
  const result = await newestFirstPage(
    visibleRecordings(db, userId, filter),
    page.cursor,
    page.limit ?? DEFAULT_PAGE,
  );
  return { recordings: result.rows.map(recordingView), nextCursor: result.nextCursor };
}

/** Every segment of one (already authorized) event its owner has not deleted, in segment order. */
export async function eventRecordings(db: Kysely<CloudDatabase>, eventId: string): Promise<RecordingView[]> {
  const rows = await db
    .selectFrom("recordings")
    .selectAll()
    .where("event_id", "=", eventId)
    .where("deleted_at", "is", null)
    .orderBy("idx")
    .orderBy("started_at")
    .execute();
  return rows.map(recordingView);
}

/** Count and bytes of the caller's recordings, split by uploaded or not. */
export async function recordingStats(
  db: Kysely<CloudDatabase>,
  userId: string,
  filter: Pick<RecordingFilter, "cameraId">,
): Promise<RecordingStats> {
  // PostgreSQL's sum(bigint) is numeric (a string in node-pg): cast back to bigint.
  const total = (e: ReturnType<typeof sql>) => sql<number>`cast(coalesce(sum(${e}), 0) as bigint)`;
  const up = sql`uploaded_at is not null`;
  const row = await visibleRecordings(db, userId, filter)
    .clearSelect()
    .select([
      total(sql`1`).as("count"),
      total(sql.ref("size_bytes")).as("bytes"),
      total(sql`case when ${up} then 1 else 0 end`).as("up_count"),
      total(sql`case when ${up} then size_bytes else 0 end`).as("up_bytes"),
    ])
    .executeTakeFirstOrThrow();
  const count = Number(row.count);
  const bytes = Number(row.bytes);
  const uploaded = { count: Number(row.up_count), bytes: Number(row.up_bytes) };
  return {
    count,
    bytes,
    uploaded,
    notUploaded: { count: count - uploaded.count, bytes: bytes - uploaded.bytes },
  };
}
