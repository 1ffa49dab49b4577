import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type DatabaseDialect, type DatabaseHandle, openDatabase } from "../../src/db/open-database.js";
import { silentLogger } from "./logs.js";

/** Every test that touches the database runs on both: `describe.each(TEST_DIALECTS)`. */
export const TEST_DIALECTS: readonly DatabaseDialect[] = ["sqlite", "postgres"];

export const TEST_PG_URL =
  process.env.HOMECAM_TEST_PG_URL ?? "postgres://homecam:homecam@127.0.0.1:5432/homecam_test";

/** A fresh, empty database of one dialect: a temp-dir SQLite file or a new PostgreSQL schema. */
export interface TestDatabase {
  dialect: DatabaseDialect;
  /** A `database.url` for the cloud config pointing at this database. */
  url: string;
  /** Temporary state directory (the SQLite file lives here); removed by dispose(). */
  stateDir: string;
  /** Open a handle on this database; dispose() closes every handle opened this way. */
  open(): DatabaseHandle;
  /** Close the handles, delete the directory (and drop the schema, or leave it to the run's end). */
  dispose(): Promise<void>;
}

export async function createTestDatabase(dialect: DatabaseDialect): Promise<TestDatabase> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-cloud-test-"));
  const handles: DatabaseHandle[] = [];
  let url: string;
  let dropSchema = async () => {};
  if (dialect === "sqlite") {
    url = "sqlite:cloud.db";
  } else {
    // Under the Vitest run (pg-schemas-global.ts) the schema is dropped after every file ended:
    // a drop during another worker's migration breaks that migration. Without a run id (a
    // script, a bench) it is dropped at dispose().
    const run = process.env.HOMECAM_TEST_RUN;
    const schema = `hc_test_${run ?? "x"}_${randomBytes(6).toString("hex")}`;
    await adminQuery(`create schema ${schema}`);
    const u = new URL(TEST_PG_URL);
    u.searchParams.set("schema", schema);
    url = u.toString();
    if (!run) dropSchema = () => adminQuery(`drop schema if exists ${schema} cascade`);
  }
  return {
    dialect,
    url,
    stateDir,
    open() {
      const handle = openDatabase(url, { stateDir, poolSize: 4, log: silentLogger() });
      handles.push(handle);
      return handle;
    },
    async dispose() {
      await Promise.all(handles.map((h) => h.close()));
      await dropSchema();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * One statement on the test database outside any test schema. PostgreSQL being unreachable is a
 * failure with instructions, never a skip: a suite that silently skips half its matrix is green
 * while PostgreSQL support rots.
 */
async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    const where = TEST_PG_URL.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
    throw new Error(
      `PostgreSQL is not reachable at ${where} (${err instanceof Error ? err.message : String(err)}). ` +
        "The cloud tests run on SQLite AND PostgreSQL: start it (scripts/setup.sh, or " +
        "`pg_ctlcluster 15 main start`) or point HOMECAM_TEST_PG_URL at a database you own.",
      { cause: err },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
