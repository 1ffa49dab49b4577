import { type Kysely, sql } from "kysely";

// Frozen once released, like 0001 (untyped `Kysely<unknown>`).
//
// What the outbox sender needs on top of 0001's table:
// - `subject_id`: the event or recording a row is about, so a newer `event.updated` replaces the
//   older undelivered one of the same event (the queue stays bounded during a long event offline).
// - `dead_at` / `error`: a row that can never be sent (its body no longer fits the schema) is set
//   aside with the reason instead of blocking its camera's queue forever.
// - `outbox_lane_head`: the sender asks for the first live row of each camera ("lane"); the index
//   holds only those rows, ordered by (camera, seq), and replaces 0001's `outbox_undelivered`.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("subject_id", "text").execute();
  await db.schema.alterTable("outbox").addColumn("dead_at", "integer").execute();
  await db.schema.alterTable("outbox").addColumn("error", "text").execute();
  await db.schema.dropIndex("outbox_undelivered").execute();
  await db.schema
    .createIndex("outbox_lane_head")
    .on("outbox")
    .columns(["camera_id", "seq"])
    .where(sql<boolean>`delivered_at is null and dead_at is null`)
    .execute();
  await db.schema
    .createIndex("outbox_subject")
    .on("outbox")
    .columns(["subject_id", "type"])
    .where(sql<boolean>`delivered_at is null`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("outbox_subject").execute();
  await db.schema.dropIndex("outbox_lane_head").execute();
  await db.schema
    .createIndex("outbox_undelivered")
    .on("outbox")
    .column("seq")
    .where(sql.ref("delivered_at"), "is", null)
    .execute();
  for (const column of ["error", "dead_at", "subject_id"])
    await db.schema.alterTable("outbox").dropColumn(column).execute();
}
