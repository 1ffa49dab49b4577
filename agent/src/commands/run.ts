import { createLogger, type Logger } from "@homecam/shared/node";
import { type RunningAgent, startAgent } from "../main.js";
import { agentVersion } from "../version.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

export interface RunCommandOptions {
  config?: string;
}

/**
 * `homecam run`: start the agent in the foreground (systemd runs it this way) until SIGINT or
 * SIGTERM. Exit codes: 0 after a clean stop, 1 on a fatal error, 2 on an unusable configuration.
 */
export async function runCommand(opts: RunCommandOptions): Promise<void> {
  const version = agentVersion();
  const loaded = loadAgentConfig(opts.config);
  if (!loaded) {
    process.exitCode = EXIT_CONFIG;
    return;
  }
  const { config, file, overrides } = loaded;
  const log = createLogger({ name: "agent", level: config.log.level, modules: config.log.modules });
  exitOnUnhandled(log);

  let agent: RunningAgent;
  try {
    agent = await startAgent({ config, log, version });
  } catch (err) {
    log.fatal({ err }, "agent failed to start");
    process.exit(1);
  }
  // Everything an operator needs to see what is running, from where, talking to whom.
  log.info(
    {
      version,
      configFile: file ?? "(none: built-in defaults)",
      overrides,
      stateDir: config.stateDir,
      lanUrl: agent.lanUrl,
      cloud: config.cloud.enabled ? { url: config.cloud.url, mqttUrl: config.cloud.mqttUrl } : "disabled",
      modules: agent.status(),
    },
    "homecam agent started",
  );
  stopOnSignals(agent, log);
}

/**
 * Resilience lives in supervisors, not in swallowing errors: a rejection nobody handled means the
 * process is in an unknown state, so log it and exit for systemd to restart us.
 */
function exitOnUnhandled(log: Logger): void {
  process.on("unhandledRejection", (reason) => {
    log.fatal({ err: reason }, "unhandled promise rejection");
    process.exit(1);
  });
  process.on("uncaughtException", (err) => {
    log.fatal({ err }, "uncaught exception");
    process.exit(1);
  });
}

function stopOnSignals(agent: RunningAgent, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means the operator is done waiting for a module that hangs.
      log.warn({ signal }, "second signal while stopping: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "stopping");
    agent.stop().then(
      () => {
        log.info("stopped");
        // Exit explicitly: a library's stray timer or socket must not keep a stopped agent alive.
        process.exit(0);
      },
      (err: unknown) => {
        log.fatal({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
