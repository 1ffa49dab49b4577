import { type Kysely, sql } from "kysely";

// Event index (issue 7 §5): events and recorded segments synced from agents, and the frame ids
// already applied (exactly-once effects over at-least-once delivery).
// Portable column rules: see ../schema.ts.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("agent_event_id", "text", (c) => c.notNull())
    .addColumn("camera_id", "text", (c) => c.notNull().references("cameras.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addColumn("duration_ms", "bigint")
    // double precision on both dialects (SQLite's `real` is its 8-byte float).
    .addColumn("score", "double precision", (c) => c.notNull())
    .addColumn("boxes_json", "text", (c) => c.notNull())
    .addColumn("thumbnail_key", "text")
    .addColumn("is_pinned", "integer", (c) => c.notNull().defaultTo(0).check(sql`is_pinned in (0, 1)`))
    .addColumn("acknowledged", "integer", (c) => c.notNull().defaultTo(0).check(sql`acknowledged in (0, 1)`))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .addUniqueConstraint("events_device_agent_uq", ["device_id", "agent_event_id"])
    .execute();
  // The list pages newest first on (created_at, id) within the caller's cameras.
  await db.schema
    .createIndex("events_camera_created_idx")
    .on("events")
    .columns(["camera_id", "created_at", "id"])
    .execute();
  await db.schema.createIndex("events_started_idx").on("events").columns(["started_at"]).execute();

  await db.schema
    .createTable("recordings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("agent_recording_id", "text", (c) => c.notNull())
    // The agent's event id as sent: a segment may arrive before its event, and is linked to the
    // cloud event (event_id) as soon as that is known.
    .addColumn("agent_event_id", "text")
    .addColumn("event_id", "text", (c) => c.references("events.id").onDelete("set null"))
    .addColumn("camera_id", "text", (c) => c.notNull().references("cameras.id").onDelete("cascade"))
    .addColumn("idx", "integer", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "bigint", (c) => c.notNull())
    .addColumn("size_bytes", "bigint", (c) => c.notNull())
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("sha256", "text")
    .addColumn("object_key", "text")
    .addColumn("uploaded_at", "bigint")
    .addColumn("local_deleted_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("recordings_device_agent_uq", ["device_id", "agent_recording_id"])
    .execute();
  await db.schema.createIndex("recordings_event_idx").on("recordings").columns(["event_id", "idx"]).execute();
  await db.schema
    .createIndex("recordings_camera_created_idx")
    .on("recordings")
    .columns(["camera_id", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("recordings_agent_event_idx")
    .on("recordings")
    .columns(["device_id", "agent_event_id"])
    .execute();

  // Frame ids applied per device; pruned by age. No foreign key: a device's rows go with the prune.
  await db.schema
    .createTable("ingested_messages")
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("ingested_messages_pk", ["device_id", "message_id"])
    .execute();
  await db.schema
    .createIndex("ingested_messages_received_idx")
    .on("ingested_messages")
    .columns(["received_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingested_messages").execute();
  await db.schema.dropTable("recordings").execute();
  await db.schema.dropTable("events").execute();
}
