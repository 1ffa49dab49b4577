import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { cameraFlag, configFlag, jsonFlag, parseFlags, UsageError } from "../control/cli-flags.js";
import { formatBytes } from "../control/cli-table.js";
import { withControlClient } from "../control/control-client.js";
import { ControlError } from "../control/control-error.js";
import { controlSocketPath } from "../control/protocol.js";
import { commitFile, discardFile, tempPathFor } from "../recording/atomic-file.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

const flagsSchema = z.strictObject({
  camera: cameraFlag,
  output: z.string().min(1, "must name a file, or - for standard output"),
  config: configFlag,
  json: jsonFlag,
});

const SNAPSHOT_TIMEOUT_MS = 30_000;

/** True when `data` starts like a JPEG file (SOI marker followed by another marker). */
export function isJpeg(data: Uint8Array): boolean {
  return data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
}

/** Write `data` to `file` so that the file is either absent/unchanged or complete, never partial. */
export async function writeFileAtomically(file: string, data: Uint8Array): Promise<number> {
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, data, { flag: "wx" });
    return await commitFile(tmp, file);
  } catch (err) {
    await discardFile(tmp);
    throw err;
  }
}

/**
 * `homecam snapshot <camera> -o <file.jpg> [--json]`: a current full-resolution JPEG from the
 * running agent. `-o -` writes the image to standard output (refused when that is a terminal).
 */
export async function snapshotCommand(camera: string, opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, { ...opts, camera }, { camera: "<camera>", output: "-o/--output" });
  const toStdout = flags.output === "-";
  if (toStdout && flags.json)
    throw new UsageError("--json cannot be combined with -o - (the image goes to stdout)");
  if (toStdout && process.stdout.isTTY) {
    throw new UsageError(
      "refusing to write a JPEG to a terminal: redirect standard output or use -o <file.jpg>",
    );
  }
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;

  const socketPath = controlSocketPath(loaded.config.stateDir);
  const result = await withControlClient(socketPath, (c) =>
    c.call("snapshot", { cameraId: flags.camera }, { timeoutMs: SNAPSHOT_TIMEOUT_MS }),
  );
  const jpeg = Buffer.from(result.dataBase64, "base64");
  if (jpeg.length !== result.bytes || !isJpeg(jpeg)) {
    throw new ControlError("HC_ERR_CONTROL_PROTOCOL", "the agent's snapshot is not a complete JPEG image");
  }
  if (toStdout) {
    process.stdout.write(jpeg);
    return 0;
  }
  const file = resolve(flags.output);
  const bytes = await writeFileAtomically(file, jpeg);
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ cameraId: flags.camera, file, bytes })}\n`
      : `${file} (${formatBytes(bytes)})\n`,
  );
  return 0;
}
