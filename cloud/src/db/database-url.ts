import { isAbsolute, resolve } from "node:path";

/** Where a `database.url` points, decided without touching the network or the disk. */
export type DatabaseTarget =
  | { dialect: "sqlite" /** Absolute path, or `:memory:`. */; file: string }
  | {
      dialect: "postgres";
      /** The URL handed to `pg`, without our own `schema` parameter. */
      connectionString: string;
      /** Schema put first on `search_path`; null keeps the server's default (`public`). */
      schema: string | null;
    };

/** The SQL identifiers accepted as a schema name. Kept narrow because it ends up in a startup option. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parse `sqlite:<path>` (relative paths resolve against `stateDir`; `sqlite::memory:` for tests)
 * or `postgres://…[?schema=<name>]`. The `schema` parameter is ours, not libpq's, so it is removed
 * before the URL reaches `pg`.
 */
export function parseDatabaseUrl(url: string, stateDir: string): DatabaseTarget {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") throw new Error("database url sqlite: needs a path, e.g. sqlite:cloud.db");
    if (path === ":memory:") return { dialect: "sqlite", file: ":memory:" };
    return { dialect: "sqlite", file: isAbsolute(path) ? path : resolve(stateDir, path) };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema");
    parsed.searchParams.delete("schema");
    if (schema !== null && !SCHEMA_NAME.test(schema)) {
      throw new Error(`database url: schema must match ${SCHEMA_NAME} (got ${JSON.stringify(schema)})`);
    }
    return { dialect: "postgres", connectionString: parsed.toString(), schema };
  }
  throw new Error("database url must start with sqlite: or postgres://");
}

/** True when `name` is acceptable as a PostgreSQL schema name for {@link parseDatabaseUrl}. */
export function isSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name);
}
