import type { PageCursor, RequestLogEntry } from "@homecam/shared";
import type { Kysely } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import type { CloudDatabase, RequestLogTable } from "../db/schema.js";

/** Filters of `GET /api/admin/logs`. */
export interface RequestLogFilter {
  from?: number | undefined;
  to?: number | undefined;
  status?: number | undefined;
  userId?: string | undefined;
  limit?: number | undefined;
  cursor?: PageCursor | undefined;
}

/** What pruning removed. */
export interface PruneResult {
  byAge: number;
  byCount: number;
}

/** Where request-log rows live: batch insert, retention, and the admin query. */
export interface RequestLogSink {
  insertBatch(rows: readonly RequestLogTable[]): Promise<void>;
  prune(opts: { olderThan: number; keepRows: number }): Promise<PruneResult>;
}

/** `request_log` through kysely (both dialects). */
export class RequestLogStore implements RequestLogSink {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  async insertBatch(rows: readonly RequestLogTable[]): Promise<void> {
    if (rows.length > 0)
      await this.db
        .insertInto("request_log")
        .values([...rows])
        .execute();
  }

  /** Delete rows older than `olderThan`, then all but the newest `keepRows`. */
  async prune(opts: { olderThan: number; keepRows: number }): Promise<PruneResult> {
    const aged = await this.db
      .deleteFrom("request_log")
      .where("created_at", "<", opts.olderThan)
      .executeTakeFirst();
    // The newest row past the cap; it and everything older go (a keyset boundary, so ties on
    // created_at are cut exactly at the cap).
    const boundary = await this.db
      .selectFrom("request_log")
      .select(["created_at", "id"])
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .offset(opts.keepRows)
      .limit(1)
      .executeTakeFirst();
    let byCount = 0;
    if (boundary) {
      const r = await this.db
        .deleteFrom("request_log")
        .where((eb) =>
          eb.or([
            eb("created_at", "<", boundary.created_at),
            eb.and([eb("created_at", "=", boundary.created_at), eb("id", "<=", boundary.id)]),
          ]),
        )
        .executeTakeFirst();
      byCount = Number(r.numDeletedRows);
    }
    return { byAge: Number(aged.numDeletedRows), byCount };
  }

  /** One page, newest first. */
  async query(f: RequestLogFilter): Promise<{ entries: RequestLogEntry[]; nextCursor: string | null }> {
    const limit = f.limit ?? 50;
    let q = this.db.selectFrom("request_log").selectAll();
    if (f.from !== undefined) q = q.where("created_at", ">=", f.from);
    if (f.to !== undefined) q = q.where("created_at", "<", f.to);
    if (f.status !== undefined) q = q.where("status", "=", f.status);
    if (f.userId !== undefined) q = q.where("user_id", "=", f.userId);
    const page = await newestFirstPage(q, f.cursor, limit);
    return { entries: page.rows.map(entry), nextCursor: page.nextCursor };
  }
}

function entry(row: RequestLogTable): RequestLogEntry {
  return {
    id: row.id,
    createdAt: row.created_at,
    method: row.method,
    route: row.route,
    status: row.status,
    durationMs: row.duration_ms,
    userId: row.user_id,
    apiKeyId: row.api_key_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
  };
}
