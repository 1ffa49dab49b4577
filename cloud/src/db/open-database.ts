import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "@homecam/shared/node";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { type DatabaseTarget, parseDatabaseUrl } from "./database-url.js";
import { parseInt8 } from "./portable.js";
import type { CloudDatabase } from "./schema.js";

export type DatabaseDialect = "sqlite" | "postgres";

export interface OpenDatabaseOptions {
  /** Relative `sqlite:` paths resolve against this directory. */
  stateDir: string;
  /** PostgreSQL pool size (ignored for SQLite, which is one connection). */
  poolSize: number;
  log: Logger;
  /** PostgreSQL schema to use; overrides `?schema=` in the URL (tests isolate in their own). */
  schema?: string | undefined;
}

/** An open database. `close()` is idempotent. */
export interface DatabaseHandle {
  db: Kysely<CloudDatabase>;
  dialect: DatabaseDialect;
  /** PostgreSQL: the schema first on `search_path` (where migrations create tables); SQLite: null. */
  schema: string | null;
  close(): Promise<void>;
}

/** Open `sqlite:<path>` or `postgres://…` as a kysely instance. Does not migrate. */
export function openDatabase(url: string, opts: OpenDatabaseOptions): DatabaseHandle {
  const target = parseDatabaseUrl(url, opts.stateDir);
  if (target.dialect === "sqlite") return openSqlite(target.file, opts.log);
  return openPostgres({ ...target, schema: opts.schema ?? target.schema }, opts);
}

function openSqlite(file: string, log: Logger): DatabaseHandle {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL: readers never block the writer and vice versa, and a crash cannot corrupt the file.
  sqlite.pragma("journal_mode = WAL");
  // Wait up to 5 s for a lock held by another process (a `migrate` run, a backup) instead of
  // failing at once with SQLITE_BUSY.
  sqlite.pragma("busy_timeout = 5000");
  // SQLite ignores REFERENCES clauses unless asked, per connection.
  sqlite.pragma("foreign_keys = ON");
  // In WAL mode NORMAL only skips the fsync per commit: an application crash loses nothing and a
  // power cut can lose the last commits but never corrupts the database. FULL would fsync every
  // write, which is slow on the SD cards and small VPS disks this runs on.
  sqlite.pragma("synchronous = NORMAL");
  log.debug({ file }, "sqlite database opened");
  const db = new Kysely<CloudDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: "sqlite", schema: null, close: once(() => db.destroy()) };
}

type PostgresTarget = Extract<DatabaseTarget, { dialect: "postgres" }>;

function openPostgres(target: PostgresTarget, opts: OpenDatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: opts.poolSize,
    // A health check or request must fail fast when the server is gone, not hang on the pool.
    connectionTimeoutMillis: 5000,
    // Set at connection start-up, so every pooled connection resolves unqualified names in the
    // schema (a `SET` after connect would race the first query).
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    // Scoped to this pool rather than pg.types.setTypeParser, which would change every pool.
    types: { getTypeParser: getTypeParser as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection emits "error" on the pool; unhandled, it kills the
  // process. The pool replaces the client; the next query reports any lasting outage.
  pool.on("error", (err) => opts.log.warn({ err }, "idle PostgreSQL connection failed"));
  opts.log.debug({ schema: target.schema }, "postgres pool created");
  const db = new Kysely<CloudDatabase>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", schema: target.schema ?? "public", close: once(() => db.destroy()) };
}

function getTypeParser(oid: number, format?: "text" | "binary"): unknown {
  if (oid === pg.types.builtins.INT8 && format !== "binary") return parseInt8;
  return pg.types.getTypeParser(oid, format);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
