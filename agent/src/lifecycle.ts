import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "./module.js";

export type ModuleState = "running" | "failed" | "stopped";

/** What `status()` reports for one module. */
export interface ModuleStatus {
  name: string;
  state: ModuleState;
  /** Why the module failed to start or stop. */
  error?: string;
}

export interface ModuleRunnerOptions {
  modules: readonly AgentModule[];
  log: Pick<Logger, "info" | "warn" | "error">;
  /** How long one module's `stop()` may take before it is abandoned (default 10 s). */
  stopTimeoutMs?: number;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/**
 * Starts modules in the listed order and stops them in reverse, in the manner of zigbee2mqtt's
 * controller: a module that fails to start is logged and isolated, so one broken camera or a port
 * in use never takes the rest of the agent down. Restarting failed modules is a supervisor's job,
 * not this class's.
 */
export class ModuleRunner {
  readonly #modules: readonly AgentModule[];
  readonly #log: ModuleRunnerOptions["log"];
  readonly #stopTimeoutMs: number;
  readonly #status: ModuleStatus[];
  readonly #abort = new AbortController();
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(opts: ModuleRunnerOptions) {
    this.#modules = opts.modules;
    this.#log = opts.log;
    this.#stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.#status = opts.modules.map((m) => ({ name: m.name, state: "stopped" }));
  }

  /** Start every module in order. Never rejects because of a module: see `status()`. */
  start(): Promise<void> {
    if (this.#starting || this.#stopping) {
      return Promise.reject(new Error("ModuleRunner.start() may be called only once, before stop()"));
    }
    this.#starting = this.#startAll();
    return this.#starting;
  }

  /** Stop the running modules in reverse order. Safe to call more than once: later calls share the first. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  /** A snapshot of every module's state, in start order. */
  status(): ModuleStatus[] {
    return this.#status.map((s) => ({ ...s }));
  }

  async #startAll(): Promise<void> {
    const signal = this.#abort.signal;
    for (const [i, mod] of this.#modules.entries()) {
      // stop() arrived while an earlier module was starting: start nothing more.
      if (signal.aborted) break;
      try {
        await mod.start(signal);
        this.#set(i, "running");
        this.#log.info({ module: mod.name }, "module started");
      } catch (err) {
        this.#set(i, "failed", errorText(err));
        this.#log.error({ module: mod.name, err }, "module failed to start; the others keep running");
      }
    }
  }

  async #stopAll(): Promise<void> {
    this.#abort.abort();
    // Modules are expected to honour the abort signal, so an in-progress start finishes promptly;
    // waiting for it means a module that just came up is stopped too rather than leaked.
    await this.#starting;
    for (let i = this.#modules.length - 1; i >= 0; i--) {
      const mod = this.#modules[i];
      if (!mod || this.#status[i]?.state !== "running") continue;
      try {
        await withTimeout(mod.stop(), this.#stopTimeoutMs, `stop timed out after ${this.#stopTimeoutMs} ms`);
        this.#set(i, "stopped");
        this.#log.info({ module: mod.name }, "module stopped");
      } catch (err) {
        // Keep going: the remaining modules still hold files, ports and child processes.
        this.#set(i, "failed", errorText(err));
        this.#log.error({ module: mod.name, err }, "module failed to stop cleanly");
      }
    }
  }

  #set(i: number, state: ModuleState, error?: string): void {
    const s = this.#status[i];
    if (!s) return;
    s.state = state;
    if (error === undefined) delete s.error;
    else s.error = error;
  }
}

/** Reject with `message` if `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
