import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@homecam/shared/node";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { kvGet, kvSet } from "./kv.js";
import { agentMigrations } from "./migrations/index.js";
import type { AgentDatabase } from "./schema.js";
import { applyPragmas, integrityCheck, readPragmas, type StorePragmas } from "./sqlite-pragmas.js";
import { StoreError } from "./store-error.js";

/** The database file inside the state directory. */
export const DB_FILE_NAME = "homecam.db";

export interface OpenAgentStoreOptions {
  log: Pick<Logger, "info" | "warn">;
  /** Clock for `updated_at` columns; injectable for tests. */
  now?: () => number;
}

/** The agent's local database: events, clips, settings, outbox, cached grants. */
export interface AgentStore {
  readonly db: Kysely<AgentDatabase>;
  /** Absolute path of the database file. */
  readonly file: string;
  kvGet(key: string): Promise<string | undefined>;
  kvSet(key: string, value: string): Promise<void>;
  /** `PRAGMA integrity_check` (for `homecam doctor` and after an unclean shutdown). */
  integrityCheck(): { ok: boolean; problems: string[] };
  /** The connection settings as SQLite reports them. */
  pragmas(): StorePragmas;
  close(): Promise<void>;
}

/**
 * Open (creating if needed) `<stateDir>/homecam.db` and apply every pending migration.
 * Throws {@link StoreError} when the file cannot be opened or a migration fails; the database is
 * left closed in that case.
 */
export async function openAgentStore(stateDir: string, opts: OpenAgentStoreOptions): Promise<AgentStore> {
  const now = opts.now ?? Date.now;
  const file = join(stateDir, DB_FILE_NAME);
  let sqlite: SQLite.Database;
  try {
    mkdirSync(stateDir, { recursive: true });
    sqlite = new SQLite(file);
    const mode = applyPragmas(sqlite);
    if (mode !== "wal")
      opts.log.warn({ file, journalMode: mode }, "SQLite could not enable WAL on this file system");
  } catch (err) {
    throw new StoreError("HC_ERR_STORE_OPEN", `cannot open the database ${file}`, { cause: err });
  }
  const db = new Kysely<AgentDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });

  const migrator = new Migrator({ db, provider: agentMigrations });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "(unknown)";
    throw new StoreError("HC_ERR_STORE_MIGRATION", `database migration ${failed} failed on ${file}`, {
      cause: error,
    });
  }
  if (applied.length > 0) opts.log.info({ file, applied }, "database migrated");

  return {
    db,
    file,
    kvGet: (key) => kvGet(db, key),
    kvSet: (key, value) => kvSet(db, key, value, now()),
    integrityCheck: () => integrityCheck(sqlite),
    pragmas: () => readPragmas(sqlite),
    close: () => db.destroy(),
  };
}
