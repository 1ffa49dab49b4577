import { doctorExitCode, formatCheckLine } from "../doctor/check-result.js";
import { runDoctor } from "../doctor/run-doctor.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

export interface DoctorCommandOptions {
  config?: string;
  json?: boolean;
}

/** `homecam doctor`: one line per check; exit 0 when nothing failed (warnings allowed), else 1. */
export async function doctorCommand(opts: DoctorCommandOptions): Promise<void> {
  const loaded = loadAgentConfig(opts.config);
  if (!loaded) {
    process.exitCode = EXIT_CONFIG;
    return;
  }
  const results = await runDoctor(loaded.config);
  const code = doctorExitCode(results);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: code === 0, config: loaded.file, checks: results }, null, 2)}\n`,
    );
  } else {
    for (const r of results) process.stdout.write(`${formatCheckLine(r)}\n`);
  }
  process.exitCode = code;
}
