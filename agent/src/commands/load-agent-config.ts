import { type AgentConfig, agentConfigSchema } from "@homecam/shared";
import { ConfigError, type LoadedConfig, loadConfig } from "@homecam/shared/node";

/** Exit status for an unusable configuration, distinct from 1 (runtime failure) for scripts and systemd. */
export const EXIT_CONFIG = 2;

/**
 * Load the agent configuration for a command. On a {@link ConfigError} every problem is printed to
 * stderr as `path: message` and null is returned; the caller exits with {@link EXIT_CONFIG}.
 */
export function loadAgentConfig(
  file: string | undefined,
  stderr: Pick<NodeJS.WriteStream, "write"> = process.stderr,
): LoadedConfig<AgentConfig> | null {
  try {
    return loadConfig({ program: "agent", schema: agentConfigSchema, file });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr.write(`homecam: invalid configuration ${err.file}\n`);
    for (const line of err.lines()) stderr.write(`${line}\n`);
    return null;
  }
}
