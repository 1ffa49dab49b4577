import type { Kysely } from "kysely";

// Notifications and Web Push subscriptions (issue 7 §6). Filled in by the notifications work.

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
