import { type Kysely, sql } from "kysely";

// Frozen once released, like 0001 (untyped `Kysely<unknown>`).
//
// Multipart uploads that survive a restart (issue 7 §2): a clip above ~8 MB goes to S3 in parts,
// and a Pi may reboot (or lose power) halfway through a 100 MB clip on a slow uplink. What is
// needed to carry on instead of starting over is kept per (recording, kind):
// - `multipart_uploads`: the storage's upload id, the object key the cloud chose, the part size the
//   cloud answered and the file's size (a different file means the saved parts are worthless).
// - `multipart_parts`: each finished part's ETag, written as soon as the storage answered it; the
//   `complete` call needs every one of them.
// Both go with their recording (ON DELETE CASCADE): a clip deleted by retention or by its owner
// leaves no upload state behind.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("multipart_uploads")
    .addColumn("recording_id", "text", (c) => c.notNull().references("recordings.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('clip', 'thumbnail')`))
    .addColumn("upload_id", "text", (c) => c.notNull())
    .addColumn("object_key", "text", (c) => c.notNull())
    .addColumn("part_size", "integer", (c) => c.notNull().check(sql`part_size > 0`))
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("multipart_uploads_pk", ["recording_id", "kind"])
    .execute();

  await db.schema
    .createTable("multipart_parts")
    .addColumn("recording_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("part_number", "integer", (c) => c.notNull().check(sql`part_number between 1 and 10000`))
    .addColumn("etag", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("multipart_parts_pk", ["recording_id", "kind", "part_number"])
    .addForeignKeyConstraint(
      "multipart_parts_upload",
      ["recording_id", "kind"],
      "multipart_uploads",
      ["recording_id", "kind"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("multipart_parts").execute();
  await db.schema.dropTable("multipart_uploads").execute();
}
