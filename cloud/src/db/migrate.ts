import type { Logger } from "@homecam/shared/node";
import { Migrator } from "kysely";
import { StaticMigrationProvider } from "./migrations/index.js";
import type { DatabaseHandle } from "./open-database.js";

/** Thrown when a migration fails; `cause` is the database error. */
export class MigrationError extends Error {
  readonly code = "HC_ERR_DB_MIGRATION";
  override readonly name = "MigrationError";
}

/**
 * Bring the schema up to date. Returns the names of the migrations applied now (empty when the
 * database was already current). Concurrent instances are serialised by kysely's migration lock.
 */
export async function migrateToLatest(handle: DatabaseHandle, log: Logger): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.db,
    provider: new StaticMigrationProvider(),
    // On PostgreSQL kysely otherwise looks for its bookkeeping table in *any* schema, so a second
    // installation (or test) sharing the database would think it already migrated.
    ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((r) => r.status === "Success").map((r) => r.migrationName);
  for (const name of applied) log.info({ migration: name }, "migration applied");
  if (error !== undefined) {
    const failed = results.find((r) => r.status === "Error")?.migrationName ?? "(setup)";
    throw new MigrationError(`database migration ${failed} failed`, { cause: error });
  }
  return applied;
}
