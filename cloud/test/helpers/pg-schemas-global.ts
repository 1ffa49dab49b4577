import { randomBytes } from "node:crypto";
import pg from "pg";

// Vitest global set-up: every PostgreSQL test schema of this run is dropped once, after all test
// files ended — never while another worker may be migrating. Dropping a schema while a migration
// elsewhere introspects the catalog (kysely lists every table of every schema) fails that
// migration with "relation … does not exist"; with two workers that race was real.

const TEST_PG_URL =
  process.env.HOMECAM_TEST_PG_URL ?? "postgres://homecam:homecam@127.0.0.1:5432/homecam_test";

/** The prefix of this run's schemas; the workers inherit it from the environment. */
export function setup(): void {
  process.env.HOMECAM_TEST_RUN ??= randomBytes(4).toString("hex");
}

export async function teardown(): Promise<void> {
  const run = process.env.HOMECAM_TEST_RUN;
  if (!run) return;
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch {
    return; // no PostgreSQL, no schemas (the tests that needed it have failed already)
  }
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where nspname like $1",
      [`hc_test_${run}_%`],
    );
    for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
  } finally {
    await client.end();
  }
}
