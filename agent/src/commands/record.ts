import { z } from "zod";
import { cameraFlag, configFlag, intFlag, jsonFlag, parseFlags } from "../control/cli-flags.js";
import { formatBytes, formatDurationMs } from "../control/cli-table.js";
import { withControlClient } from "../control/control-client.js";
import {
  controlSocketPath,
  RECORD_MAX_SECONDS,
  RECORD_MIN_SECONDS,
  RECORD_TIMEOUT_MARGIN_MS,
} from "../control/protocol.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

const flagsSchema = z.strictObject({
  camera: cameraFlag,
  seconds: intFlag(RECORD_MIN_SECONDS, RECORD_MAX_SECONDS),
  config: configFlag,
  json: jsonFlag,
});

/**
 * `homecam record <camera> --seconds N [--json]`: a `manual` event recorded now by the running
 * agent. Waits until the clip is written (N s plus pre-roll and muxing; gives up after N + 60 s)
 * and prints the clip paths, one per line. Interrupting the command cancels the recording.
 */
export async function recordCommand(camera: string, opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, { ...opts, camera }, { camera: "<camera>" });
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;

  const socketPath = controlSocketPath(loaded.config.stateDir);
  if (process.stderr.isTTY && !flags.json) {
    process.stderr.write(`recording ${flags.seconds} s from ${flags.camera}…\n`);
  }
  const result = await withControlClient(socketPath, (c) =>
    c.call(
      "record",
      { cameraId: flags.camera, seconds: flags.seconds },
      { timeoutMs: flags.seconds * 1000 + RECORD_TIMEOUT_MARGIN_MS },
    ),
  );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const r of result.recordings) process.stdout.write(`${r.path}\n`);
    if (process.stderr.isTTY) {
      const total = result.recordings.reduce((n, r) => n + r.sizeBytes, 0);
      const ms = result.recordings.reduce((n, r) => n + r.durationMs, 0);
      process.stderr.write(
        `event ${result.eventId}: ${result.recordings.length} clip(s), ${formatDurationMs(ms)}, ${formatBytes(total)}\n`,
      );
    }
  }
  return 0;
}
