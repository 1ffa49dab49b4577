import { type CloudConfig, cloudConfigSchema } from "@homecam/shared";
import { ConfigError, createLogger, type LoadedConfig, type Logger, loadConfig } from "@homecam/shared/node";
import { Command } from "commander";
import { registerAdminCommands } from "./commands/admin-cli.js";
import { migrateToLatest } from "./db/migrate.js";
import { openDatabase } from "./db/open-database.js";
import { startCloud } from "./main.js";
import { cloudVersion } from "./version.js";

// Exit codes: 0 clean stop, 1 runtime failure (systemd restarts), 2 unusable configuration
// (restarting will not help; systemd's RestartPreventExitStatus=2 can say so).
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

const version = cloudVersion();

const program = new Command("homecam-cloud")
  .description("homecam cloud: accounts, pairing, MQTT broker, command relay, event index.")
  .version(version);

program
  .command("run")
  .description("Migrate the database and serve until SIGINT or SIGTERM.")
  .option("-c, --config <file>", "configuration file (default $HOMECAM_CONFIG or /etc/homecam/cloud.yaml)")
  .action(async (opts: { config?: string }) => {
    const loaded = loadOrReport(opts.config);
    if (!loaded) return;
    const log = rootLogger(loaded.config);
    exitOnUncaught(log);
    let cloud: Awaited<ReturnType<typeof startCloud>>;
    try {
      cloud = await startCloud({ config: loaded.config, log, version });
    } catch (err) {
      log.fatal({ err }, "start-up failed");
      process.exit(EXIT_FAILURE);
    }
    log.info(
      {
        version,
        configFile: loaded.file ?? "(none, defaults)",
        overrides: loaded.overrides,
        dialect: cloud.dialect,
        url: cloud.url,
      },
      "homecam cloud started",
    );
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal while stopping means the operator does not want to wait.
      if (stopping) process.exit(EXIT_FAILURE);
      stopping = true;
      log.info({ signal }, "stopping");
      cloud.stop().then(
        () => {
          log.info("stopped");
          process.exit(0);
        },
        (err: unknown) => {
          log.fatal({ err }, "stop failed");
          process.exit(EXIT_FAILURE);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

program
  .command("migrate")
  .description("Bring the database schema up to date, then exit.")
  .option("-c, --config <file>", "configuration file (default $HOMECAM_CONFIG or /etc/homecam/cloud.yaml)")
  .action(async (opts: { config?: string }) => {
    const loaded = loadOrReport(opts.config);
    if (!loaded) return;
    const log = rootLogger(loaded.config);
    exitOnUncaught(log);
    const { config } = loaded;
    const db = openDatabase(config.database.url, {
      stateDir: config.stateDir,
      poolSize: config.database.poolSize,
      log,
    });
    try {
      const applied = await migrateToLatest(db, log);
      log.info({ dialect: db.dialect, applied }, applied.length ? "migrated" : "already up to date");
    } catch (err) {
      log.fatal({ err }, "migration failed");
      process.exitCode = EXIT_FAILURE;
    } finally {
      await db.close();
    }
  });

registerAdminCommands(program, {
  loadOrReport,
  rootLogger,
  exitCode: { failure: EXIT_FAILURE, config: EXIT_CONFIG },
});

/** The configuration, or null after printing every problem as `path: message` to stderr. */
function loadOrReport(file: string | undefined): LoadedConfig<CloudConfig> | null {
  try {
    return loadConfig({ program: "cloud", schema: cloudConfigSchema, file });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines()) process.stderr.write(`${line}\n`);
    process.exitCode = EXIT_CONFIG;
    return null;
  }
}

function rootLogger(config: Readonly<CloudConfig>): Logger {
  return createLogger({ name: "cloud", level: config.log.level, modules: config.log.modules });
}

// Resilience lives in systemd and supervisors, not in swallowing: log what happened and exit.
function exitOnUncaught(log: Logger): void {
  process.on("unhandledRejection", (reason) => {
    // A rejection reason need not be an Error; the err serializer only understands Errors.
    log.fatal(
      reason instanceof Error ? { err: reason } : { reason: String(reason) },
      "unhandled promise rejection",
    );
    process.exit(EXIT_FAILURE);
  });
  process.on("uncaughtException", (err) => {
    log.fatal({ err }, "uncaught exception");
    process.exit(EXIT_FAILURE);
  });
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`homecam-cloud: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_FAILURE);
});
