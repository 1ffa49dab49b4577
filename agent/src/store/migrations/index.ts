import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001-initial.js";
import * as m0002 from "./0002-warnings.js";
import * as m0003 from "./0003-camera-runtime.js";
import * as m0004 from "./0004-outbox-delivery.js";
import * as m0005 from "./0005-multipart-uploads.js";

// Listed by hand, not globbed from the directory: the agent also ships as a single executable
// (Node SEA), where there is no migrations folder to read, and a stray file can never sneak in.
// kysely applies them in name order, so names start with a zero-padded number.
const MIGRATIONS: Record<string, Migration> = {
  "0001-initial": m0001,
  "0002-warnings": m0002,
  "0003-camera-runtime": m0003,
  "0004-outbox-delivery": m0004,
  "0005-multipart-uploads": m0005,
};

/** The agent's migrations, for kysely's `Migrator`. */
export const agentMigrations: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
