/**
 * One feature of the agent (LAN server, capture, cloud link…), started and stopped by
 * {@link ModuleRunner} in the order `main.ts` lists them.
 */
export interface AgentModule {
  readonly name: string;
  /**
   * Resolve once the module is ready (e.g. the server listens). `signal` aborts when the agent is
   * stopping; a start that may take long (connecting, probing) must honour it.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Release everything `start` acquired. Called only after `start` succeeded, at most once. */
  stop(): Promise<void>;
}
