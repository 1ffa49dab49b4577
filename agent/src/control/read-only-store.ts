import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { DB_FILE_NAME } from "../store/agent-store.js";
import type { AgentDatabase } from "../store/schema.js";
import { ControlError } from "./control-error.js";

/** The agent's database opened for reading only, by a CLI command, whether or not the agent runs. */
export interface ReadOnlyStore {
  readonly db: Kysely<AgentDatabase>;
  readonly file: string;
  /** How it was opened: shared with a live agent (WAL), or a private in-memory copy. */
  readonly mode: "wal-reader" | "snapshot";
  close(): Promise<void>;
}

/**
 * Open `<stateDir>/homecam.db` for reading without ever changing what is on disk.
 *
 * - While the agent runs (or after it crashed), the `-wal` file exists: open the file read-only;
 *   WAL lets this reader see every committed row while the agent keeps writing.
 * - When the agent stopped cleanly, there is no `-wal`. A read-only SQLite connection would then
 *   create `-wal` and `-shm` itself, owned by whoever runs the command — typically root via sudo,
 *   while the agent runs as `homecam` (systemd `User=`), which could then no longer open its own
 *   database. So the file is read into memory instead: with no WAL the main file holds everything.
 *   Its header says "WAL" (bytes 18–19 = 2), which an in-memory database cannot use; the copy's
 *   header is set to the rollback-journal format (1), the file itself is untouched.
 */
export function openReadOnlyStore(stateDir: string): ReadOnlyStore {
  const file = join(stateDir, DB_FILE_NAME);
  if (!existsSync(file)) {
    throw new ControlError(
      "HC_ERR_CONTROL_NO_DATABASE",
      `no database at ${file}: the agent creates it when \`homecam run\` first starts with this stateDir`,
    );
  }
  let sqlite: SQLite.Database;
  let mode: ReadOnlyStore["mode"];
  try {
    if (existsSync(`${file}-wal`)) {
      sqlite = new SQLite(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
      mode = "wal-reader";
    } else {
      const image = readFileSync(file);
      if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
        image[18] = 1;
        image[19] = 1;
      }
      sqlite = new SQLite(image, { readonly: true });
      mode = "snapshot";
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "EACCES" || code === "EPERM"
        ? "permission denied (run this command as the agent's user, e.g. `sudo -u homecam homecam …`, or as root)"
        : err instanceof Error
          ? err.message
          : String(err);
    throw new ControlError("HC_ERR_CONTROL_DATABASE", `cannot read the database ${file}: ${why}`, {
      cause: err,
    });
  }
  const db = new Kysely<AgentDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, file, mode, close: () => db.destroy() };
}
