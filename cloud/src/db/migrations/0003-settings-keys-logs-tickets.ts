import { type Kysely, sql } from "kysely";

// Per-user settings, integration API keys, the request log and support tickets (issue 5). The
// owning tables reference users(id) from 0002 and go with the user (ON DELETE CASCADE). Portable
// column rules: see ../schema.ts.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per user, created on the first change; no row = every default (shared settings schema).
  await db.schema
    .createTable("user_settings")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("notifications_enabled", "integer", (c) => c.notNull().check(flag("notifications_enabled")))
    .addColumn("email_notifications", "integer", (c) => c.notNull().check(flag("email_notifications")))
    .addColumn("default_motion_sensitivity", "integer", (c) => c.notNull())
    .addColumn("recording_quality", "text", (c) => c.notNull())
    .addColumn("storage_days", "integer", (c) => c.notNull())
    .addColumn("app_lock_enabled", "integer", (c) => c.notNull().check(flag("app_lock_enabled")))
    // `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`; null = no PIN.
    .addColumn("app_lock_pin_hash", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    // SHA-256 (hex) of the whole secret: looked up by equality on every API-key request.
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema
    .createIndex("api_keys_user_idx")
    .on("api_keys")
    .columns(["user_id", "created_at"])
    .execute();

  // No foreign key on user_id: a log row records what happened and must never fail to insert
  // (and lose its whole batch) because the account was deleted in the meantime.
  await db.schema
    .createTable("request_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("route", "text", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("api_key_id", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("request_id", "text")
    .execute();
  await db.schema
    .createIndex("request_log_created_idx")
    .on("request_log")
    .columns(["created_at", "id"])
    .execute();
  await db.schema
    .createIndex("request_log_user_idx")
    .on("request_log")
    .columns(["user_id", "created_at"])
    .execute();

  await db.schema
    .createTable("tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('open', 'in_progress', 'resolved', 'closed')`),
    )
    .addColumn("admin_response", "text")
    .addColumn("admin_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("resolved_at", "bigint")
    .execute();
  await db.schema.createIndex("tickets_user_idx").on("tickets").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("tickets_status_idx").on("tickets").columns(["status", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tickets").execute();
  await db.schema.dropTable("request_log").execute();
  await db.schema.dropTable("api_keys").execute();
  await db.schema.dropTable("user_settings").execute();
}

function flag(column: string) {
  return sql`${sql.ref(column)} in (0, 1)`;
}
