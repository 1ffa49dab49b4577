import type { CloudConfig } from "@homecam/shared";
import type { LoadedConfig, Logger } from "@homecam/shared/node";
import type { Command } from "commander";
import { migrateToLatest } from "../db/migrate.js";
import { openDatabase } from "../db/open-database.js";
import { systemClock } from "../security/clock.js";
import { AdminCreateError, adminCreate, promptHidden, readPasswordFromStdin } from "./admin-create.js";

export interface AdminCliDeps {
  loadOrReport(file: string | undefined): LoadedConfig<CloudConfig> | null;
  rootLogger(config: Readonly<CloudConfig>): Logger;
  exitCode: { failure: number; config: number };
}

/** `homecam-cloud admin create --email --name [--password-stdin]`. */
export function registerAdminCommands(program: Command, deps: AdminCliDeps): void {
  const admin = program.command("admin").description("Administer accounts.");
  admin
    .command("create")
    .description(
      "Create an administrator (verified e-mail), or promote an existing account. The password is " +
        "asked on the terminal, or read from stdin with --password-stdin; there is no default password.",
    )
    .requiredOption("--email <email>", "e-mail address of the account")
    .requiredOption("--name <name>", "name of the account (used when it is created)")
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .option("-c, --config <file>", "configuration file (default $HOMECAM_CONFIG or /etc/homecam/cloud.yaml)")
    .action(async (opts: { email: string; name: string; passwordStdin?: boolean; config?: string }) => {
      const loaded = deps.loadOrReport(opts.config);
      if (!loaded) return;
      const { config } = loaded;
      const log = deps.rootLogger(config);
      const db = openDatabase(config.database.url, {
        stateDir: config.stateDir,
        poolSize: config.database.poolSize,
        log,
      });
      try {
        await migrateToLatest(db, log);
        const exists =
          (await db.db
            .selectFrom("users")
            .select("id")
            .where("email", "=", opts.email.trim().toLowerCase())
            .executeTakeFirst()) !== undefined;
        let password: string | undefined;
        if (opts.passwordStdin) {
          password = await readPasswordFromStdin();
        } else if (!exists) {
          password = await promptHidden("Password for the new administrator: ");
          if ((await promptHidden("Repeat the password: ")) !== password) {
            throw new AdminCreateError("the passwords differ");
          }
        }
        const result = await adminCreate(
          db,
          { email: opts.email, name: opts.name, password },
          { clock: systemClock },
        );
        process.stdout.write(
          result.created
            ? `created administrator ${result.email} (id ${result.userId})\n`
            : `promoted ${result.email} (id ${result.userId}) to administrator\n`,
        );
      } catch (err) {
        if (!(err instanceof AdminCreateError)) throw err;
        process.stderr.write(`homecam-cloud admin create: ${err.message}\n`);
        process.exitCode = deps.exitCode.config;
      } finally {
        await db.close();
      }
    });
}
