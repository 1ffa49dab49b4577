import { type Kysely, sql } from "kysely";

// Migrations are frozen once released: they describe the database as it was at that step, so they
// use the untyped `Kysely<unknown>` rather than today's table types. Change the schema with a new
// numbered migration, never by editing this one.

const TABLES = ["kv", "grants", "outbox", "settings", "recordings", "events", "cameras"] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("cameras")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("source_type", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1).check(sql`enabled in (0, 1)`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .execute();

  // Deleting a camera row must not silently delete its events and clips (RESTRICT): removing a
  // camera's history is an explicit step that also deletes the files on disk.
  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("camera_id", "text", (c) => c.notNull().references("cameras.id").onDelete("restrict"))
    .addColumn("type", "text", (c) =>
      c.notNull().check(sql`type in ('motion', 'manual', 'scheduled', 'sound')`),
    )
    .addColumn("started_at", "integer", (c) => c.notNull())
    .addColumn("ended_at", "integer")
    .addColumn("duration_ms", "integer")
    .addColumn("score", "real", (c) => c.notNull().defaultTo(0))
    .addColumn("pinned", "integer", (c) => c.notNull().defaultTo(0).check(sql`pinned in (0, 1)`))
    .addColumn("acknowledged", "integer", (c) => c.notNull().defaultTo(0).check(sql`acknowledged in (0, 1)`))
    .addColumn("metadata", "text", (c) => c.notNull().defaultTo("{}").check(sql`json_valid(metadata)`))
    .addColumn("thumbnail_path", "text")
    .addColumn("created_at", "integer", (c) => c.notNull())
    .execute();
  // The timeline: one camera's events newest first, and all cameras' events by time.
  await db.schema
    .createIndex("events_camera_started")
    .on("events")
    .columns(["camera_id", "started_at"])
    .execute();
  await db.schema.createIndex("events_started").on("events").column("started_at").execute();

  // A clip outlives its event row if the event is pruned first: keep the file's row, drop the link.
  await db.schema
    .createTable("recordings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("set null"))
    .addColumn("camera_id", "text", (c) => c.notNull().references("cameras.id").onDelete("restrict"))
    .addColumn("idx", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("file_path", "text", (c) => c.notNull())
    .addColumn("started_at", "integer", (c) => c.notNull())
    .addColumn("ended_at", "integer", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("uploaded_at", "integer")
    .addColumn("upload_state", "text", (c) =>
      c
        .notNull()
        .defaultTo("pending")
        .check(sql`upload_state in ('pending', 'uploading', 'uploaded', 'local_only')`),
    )
    .addColumn("created_at", "integer", (c) => c.notNull())
    .execute();
  // Clips of an event in order; unique so a retried clip write cannot duplicate a part.
  await db.schema
    .createIndex("recordings_event_idx")
    .on("recordings")
    .columns(["event_id", "idx"])
    .unique()
    .execute();
  // Retention walks a camera's clips oldest first.
  await db.schema
    .createIndex("recordings_camera_started")
    .on("recordings")
    .columns(["camera_id", "started_at"])
    .execute();
  // The uploader's queue: only the few rows not yet uploaded are indexed.
  await db.schema
    .createIndex("recordings_upload_queue")
    .on("recordings")
    .columns(["upload_state", "started_at"])
    .where(sql<boolean>`upload_state in ('pending', 'uploading')`)
    .execute();

  // camera_id '' (not NULL) for device-wide settings, because NULLs are distinct in a primary key.
  // No foreign key for the same reason.
  await db.schema
    .createTable("settings")
    .addColumn("camera_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull().check(sql`json_valid(value)`))
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("settings_pk", ["camera_id", "key"])
    .execute();

  // AUTOINCREMENT (not just INTEGER PRIMARY KEY) so a seq is never reused after the newest row is
  // deleted: delivery order must be strictly increasing for the lifetime of the device. camera_id
  // has no foreign key: a fact about a since-removed camera must still reach the cloud.
  await db.schema
    .createTable("outbox")
    .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("topic_kind", "text", (c) => c.notNull())
    .addColumn("camera_id", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull().check(sql`json_valid(body)`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "integer", (c) => c.notNull())
    .addColumn("delivered_at", "integer")
    .execute();
  // The sender reads undelivered rows in seq order; delivered rows (most of the table) stay out.
  await db.schema
    .createIndex("outbox_undelivered")
    .on("outbox")
    .column("seq")
    .where(sql.ref("delivered_at"), "is", null)
    .execute();

  await db.schema
    .createTable("grants")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner', 'viewer')`))
    .addColumn("revoked_at", "integer")
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("kv")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await db.schema.dropTable(table).execute();
}
