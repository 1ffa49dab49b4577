import { type Kysely, sql } from "kysely";

// Frozen once released, like 0001 (untyped `Kysely<unknown>`).
//
// - `warnings`: things the user should hear about that are not events of a camera: a clip deleted by
//   retention before it was uploaded (the only copy is gone), a clip that could not be written, a
//   recording whose file vanished. No foreign keys: a warning must outlive the camera, event and
//   recording rows it talks about (the recording row is deleted when its clip is).
// - `events.thumbnail_bytes`: the thumbnail's size, so retention counts it without a stat per clip.
// - `events_open`: events left open by a crash are found at start without scanning the table.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("warnings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("camera_id", "text")
    .addColumn("event_id", "text")
    .addColumn("recording_id", "text")
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull().defaultTo("{}").check(sql`json_valid(data)`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("warnings_created").on("warnings").column("created_at").execute();

  await db.schema.alterTable("events").addColumn("thumbnail_bytes", "integer").execute();
  await db.schema
    .createIndex("events_open")
    .on("events")
    .column("camera_id")
    .where(sql.ref("ended_at"), "is", null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("events_open").execute();
  await db.schema.alterTable("events").dropColumn("thumbnail_bytes").execute();
  await db.schema.dropTable("warnings").execute();
}
