import type { Kysely } from "kysely";

// Migrations use the schema builder only, with the portable column types of ../schema.ts, so the
// same file runs on SQLite and PostgreSQL. A released migration is never edited: add a new one.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("instance_meta")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("instance_meta").execute();
}
