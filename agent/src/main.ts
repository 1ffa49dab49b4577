import type { AgentConfig } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import { rejectAllTokens } from "./http/auth-gate.js";
import { createLanApp } from "./http/lan-app.js";
import { LanServer } from "./http/lan-server.js";
import { ModuleRunner, type ModuleStatus } from "./lifecycle.js";
import type { AgentModule } from "./module.js";
import { openAgentStore } from "./store/agent-store.js";

export interface StartAgentOptions {
  config: Readonly<AgentConfig>;
  log: Logger;
  version: string;
}

/** A running agent. */
export interface RunningAgent {
  /** Stop every module in reverse order, then close the database. Safe to call more than once. */
  stop(): Promise<void>;
  /** The LAN server's URL, or null when it failed to start (see `status()`). */
  readonly lanUrl: string | null;
  status(): ModuleStatus[];
}

/**
 * The composition root: the only place that builds real implementations and wires them together.
 * The database opens first and a failure there is fatal (throws): without it there are no events
 * to record. Module failures are not fatal: they are isolated and reported by `status()`.
 */
export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  const { config, log, version } = opts;
  const startedAt = Date.now();
  const store = await openAgentStore(config.stateDir, { log: moduleLogger(log, "store") });

  const lanServer = new LanServer({
    app: createLanApp({
      version,
      uptimeS: () => Math.floor((Date.now() - startedAt) / 1000),
      verifyToken: rejectAllTokens,
      log: moduleLogger(log, "http"),
    }),
    host: config.http.host,
    port: config.http.port,
    log: moduleLogger(log, "http"),
  });

  // Start order; stop is the reverse. Capture, recorder, uploader and cloud link join this list.
  const modules: AgentModule[] = [lanServer];
  const runner = new ModuleRunner({ modules, log: moduleLogger(log, "lifecycle") });
  await runner.start();

  let stopping: Promise<void> | undefined;
  return {
    lanUrl: lanServer.url ?? null,
    status: () => runner.status(),
    stop: () => {
      stopping ??= runner.stop().finally(() => store.close());
      return stopping;
    },
  };
}
