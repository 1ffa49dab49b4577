import { encodePageCursor, type PageCursor } from "@homecam/shared";
import { type SelectQueryBuilder, sql } from "kysely";

/** One page of rows and the cursor of the next (null on the last page). */
export interface KeysetPage<R> {
  rows: R[];
  nextCursor: string | null;
}

/**
 * Newest first, keyset-paginated on (created_at, id): stable under concurrent inserts, unlike
 * offsets, and served by the (created_at, id) index. Fetches one row more than asked to know
 * whether another page exists.
 */
export async function newestFirstPage<DB, TB extends keyof DB, R extends { created_at: number; id: string }>(
  query: SelectQueryBuilder<DB, TB, R>,
  cursor: PageCursor | undefined,
  limit: number,
): Promise<KeysetPage<R>> {
  let q = query;
  if (cursor) {
    q = q.where(
      sql<boolean>`(created_at < ${cursor.createdAt} or (created_at = ${cursor.createdAt} and id < ${cursor.id}))`,
    );
  }
  const rows = await q
    .orderBy(sql.ref("created_at"), "desc")
    .orderBy(sql.ref("id"), "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor:
      rows.length > limit && last ? encodePageCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
