import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001-init.js";
import * as m0002 from "./0002-accounts.js";
import * as m0003 from "./0003-settings-keys-logs-tickets.js";
import * as m0004 from "./0004-devices.js";
import * as m0005 from "./0005-rendezvous.js";
import * as m0006 from "./0006-events.js";
import * as m0007 from "./0007-notifications.js";
import * as m0008 from "./0008-storage-providers.js";
import * as m0009 from "./0009-recording-notes.js";

/**
 * Every migration, by name. Listed statically rather than globbed from a directory (kysely's
 * FileMigrationProvider) so a bundled or packaged build still finds them. Names sort in the order
 * they must run; add new ones at the end.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001-init": m0001,
  "0002-accounts": m0002,
  "0003-settings-keys-logs-tickets": m0003,
  "0004-devices": m0004,
  "0005-rendezvous": m0005,
  "0006-events": m0006,
  "0007-notifications": m0007,
  "0008-storage-providers": m0008,
  "0009-recording-notes": m0009,
};

/** kysely's migration provider over {@link MIGRATIONS}. */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Readonly<Record<string, Migration>> = MIGRATIONS) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.migrations };
  }
}
