import type { Kysely } from "kysely";
import type { AgentDatabase } from "./schema.js";

// Small device facts that need no table of their own (device id, cursor positions, last pairing).

/** The value stored under `key`, or undefined. */
export async function kvGet(db: Kysely<AgentDatabase>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("kv").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

/** Store `value` under `key`, replacing any previous value. */
export async function kvSet(
  db: Kysely<AgentDatabase>,
  key: string,
  value: string,
  now: number,
): Promise<void> {
  await db
    .insertInto("kv")
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
    .execute();
}
