import type { Kysely } from "kysely";
import type { CloudDatabase } from "./schema.js";

/** One `instance_meta` entry, as the rest of the code sees it. */
export interface InstanceMeta {
  key: string;
  value: string;
  updatedAt: number;
}

/** The entry for `key`, or undefined. */
export async function getInstanceMeta(
  db: Kysely<CloudDatabase>,
  key: string,
): Promise<InstanceMeta | undefined> {
  const row = await db
    .selectFrom("instance_meta")
    .select(["key", "value", "updated_at"])
    .where("key", "=", key)
    .executeTakeFirst();
  return row && { key: row.key, value: row.value, updatedAt: row.updated_at };
}

/** Insert or replace the entry for `key` (`ON CONFLICT … DO UPDATE` exists in both dialects). */
export async function setInstanceMeta(
  db: Kysely<CloudDatabase>,
  key: string,
  value: string,
  now: number = Date.now(),
): Promise<void> {
  await db
    .insertInto("instance_meta")
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** How many entries exist; the database health check reads it to prove the schema is there. */
export async function countInstanceMeta(db: Kysely<CloudDatabase>): Promise<number> {
  const row = await db
    .selectFrom("instance_meta")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
