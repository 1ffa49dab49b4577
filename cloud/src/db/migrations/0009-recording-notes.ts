import type { Kysely } from "kysely";

// An owner's note on a recording and the deletion of one recording (issue 7 §5: PUT and DELETE
// /api/recordings/:id), with the follow-up of that deletion: its stored object removed and its
// agent told, durably, as `event_deletions` (0008) does for whole events.
// Portable column rules: see ../schema.ts.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("recordings").addColumn("note", "text").execute();
  // Soft delete by the owner: every read hides the row at once; the row stays for the follow-up.
  await db.schema.alterTable("recordings").addColumn("deleted_at", "bigint").execute();

  await db.schema
    .createTable("recording_deletions")
    .addColumn("recording_id", "text", (c) => c.primaryKey().references("recordings.id").onDelete("cascade"))
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("agent_recording_id", "text", (c) => c.notNull())
    .addColumn("requested_at", "bigint", (c) => c.notNull())
    .addColumn("purged_at", "bigint")
    .addColumn("agent_told_at", "bigint")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  await db.schema
    .createIndex("recording_deletions_device_idx")
    .on("recording_deletions")
    .columns(["device_id", "agent_told_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("recording_deletions").execute();
  await db.schema.alterTable("recordings").dropColumn("deleted_at").execute();
  await db.schema.alterTable("recordings").dropColumn("note").execute();
}
