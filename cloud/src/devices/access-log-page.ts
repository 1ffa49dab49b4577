import type { AccessLogEntryView, PageCursor } from "@homecam/shared";
import type { Kysely } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import type { CloudDatabase } from "../db/schema.js";
import { accessLogEntryView } from "./views.js";

const DEFAULT_PAGE = 50;

/** One page of a device's access log. */
export interface AccessLogPage {
  entries: AccessLogEntryView[];
  nextCursor: string | null;
}

/**
 * A device's access log, newest first, keyset-paginated. User names come from a second query for
 * the page's users only: joining `users` would make the pager's unqualified `created_at`/`id`
 * ambiguous, and a log row outlives the account it names (its name is then null).
 */
export async function accessLogPage(
  db: Kysely<CloudDatabase>,
  deviceId: string,
  opts: { limit?: number | undefined; cursor?: PageCursor | undefined },
): Promise<AccessLogPage> {
  const page = await newestFirstPage(
    db.selectFrom("device_access_log").selectAll().where("device_id", "=", deviceId),
    opts.cursor,
    opts.limit ?? DEFAULT_PAGE,
  );
  const userIds = [...new Set(page.rows.flatMap((r) => (r.user_id ? [r.user_id] : [])))];
  const users =
    userIds.length > 0
      ? await db.selectFrom("users").select(["id", "name"]).where("id", "in", userIds).execute()
      : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
  return {
    entries: page.rows.map((r) => accessLogEntryView(r, r.user_id ? (names.get(r.user_id) ?? null) : null)),
    nextCursor: page.nextCursor,
  };
}
