import { resolveConfigPath } from "@homecam/shared/node";
import { Command } from "commander";
import { doctorCommand } from "./commands/doctor.js";
import { runCommand } from "./commands/run.js";
import { agentVersion } from "./version.js";

// The `homecam` command. Each command's implementation lives in commands/; this file only wires
// names, options and help text.

function configOption(cmd: Command): Command {
  const fallback = resolveConfigPath("agent", undefined, {});
  return cmd.option("--config <file>", `configuration file (default: $HOMECAM_CONFIG, then ${fallback})`);
}

export function buildProgram(version: string): Command {
  const program = new Command("homecam")
    .description("homecam agent: camera capture, motion events, recording and live view on this host")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError();

  configOption(
    program.command("run").description("run the agent in the foreground until SIGINT/SIGTERM"),
  ).action((opts: { config?: string }) => runCommand(opts));

  configOption(
    program
      .command("doctor")
      .description("check ffmpeg, the state directory, free disk and the clock; each problem with a fix")
      .option("--json", "print the results as JSON"),
  ).action((opts: { config?: string; json?: boolean }) => doctorCommand(opts));

  return program;
}

try {
  await buildProgram(agentVersion()).parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`homecam: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
