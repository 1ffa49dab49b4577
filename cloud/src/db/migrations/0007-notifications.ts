import { type Kysely, sql } from "kysely";

// Notifications and Web Push subscriptions (issue 7 §6). Portable column rules: see ../schema.ts.
// A notification is history: removing the device, camera or event it is about keeps it (set null);
// removing the user removes their notifications and subscriptions.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("type", "text", (c) =>
      c.notNull().check(sql`type in ('motion', 'system', 'security', 'maintenance')`),
    )
    .addColumn("priority", "text", (c) =>
      c.notNull().check(sql`priority in ('low', 'medium', 'high', 'critical')`),
    )
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("metadata_json", "text")
    .addColumn("device_id", "text", (c) => c.references("devices.id").onDelete("set null"))
    .addColumn("camera_id", "text", (c) => c.references("cameras.id").onDelete("set null"))
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("set null"))
    .addColumn("dedupe_key", "text")
    .addColumn("is_read", "integer", (c) => c.notNull().defaultTo(0).check(sql`is_read in (0, 1)`))
    .addColumn("read_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  // The list pages newest first on (created_at, id) within one user.
  await db.schema
    .createIndex("notifications_user_created_idx")
    .on("notifications")
    .columns(["user_id", "created_at", "id"])
    .execute();
  // Unread count and read-all.
  await db.schema
    .createIndex("notifications_user_read_idx")
    .on("notifications")
    .columns(["user_id", "is_read"])
    .execute();
  // The motion cooldown: the latest notification of one type for one user and camera.
  await db.schema
    .createIndex("notifications_cooldown_idx")
    .on("notifications")
    .columns(["user_id", "camera_id", "type", "created_at"])
    .execute();
  // Both dialects treat nulls as distinct here: only keyed notifications are unique.
  await db.schema
    .createIndex("notifications_dedupe_uq")
    .on("notifications")
    .columns(["user_id", "dedupe_key"])
    .unique()
    .execute();

  await db.schema
    .createTable("push_subscriptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("endpoint", "text", (c) => c.notNull().unique())
    .addColumn("p256dh", "text", (c) => c.notNull())
    .addColumn("auth", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_success_at", "bigint")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("push_subscriptions_user_idx")
    .on("push_subscriptions")
    .columns(["user_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("push_subscriptions").execute();
  await db.schema.dropTable("notifications").execute();
}
