import { resolveConfigPath } from "@homecam/shared/node";
import { Command, CommanderError } from "commander";
import { z } from "zod";
import { EXIT_CONFIG } from "./commands/load-agent-config.js";
import { intFlag, parseFlags, UsageError } from "./control/cli-flags.js";
import { ControlError } from "./control/control-error.js";
import { agentVersion } from "./version.js";

// The `homecam` command. Each command's implementation lives in commands/; this file only wires
// names, options and help text. Commands are imported when run, so `homecam status` on a Pi does
// not pay for loading the whole agent.
//
// Exit status: 0 success, 1 failure (agent not running, camera offline, I/O error), 2 unusable
// configuration or command line (unknown option, bad flag value).

/** Exit status of a failed command (as opposed to {@link EXIT_CONFIG} for a bad config or usage). */
const EXIT_FAILURE = 1;

function configOption(cmd: Command): Command {
  const fallback = resolveConfigPath("agent", undefined, {});
  return cmd.option("--config <file>", `configuration file (default: $HOMECAM_CONFIG, then ${fallback})`);
}

/**
 * Run one command's action: its returned number (or the exit code it set) becomes the exit
 * status; a {@link UsageError} exits 2, any other error prints `homecam: message` and exits 1.
 */
async function act(fn: () => Promise<unknown>): Promise<void> {
  try {
    const code = await fn();
    if (typeof code === "number") process.exitCode = code;
  } catch (err) {
    let message = err instanceof Error ? err.message : String(err);
    // The agent's own code (HC_ERR_CAMERA_…) helps when reporting a problem.
    if (err instanceof ControlError && err.remoteCode) message += ` (${err.remoteCode})`;
    process.stderr.write(`homecam: ${message.replaceAll("\n", "\nhomecam: ")}\n`);
    process.exitCode = err instanceof UsageError ? EXIT_CONFIG : EXIT_FAILURE;
  }
}

const discoverFlags = (opts: Record<string, unknown>) =>
  parseFlags(
    z.strictObject({
      timeout: intFlag(100, 60_000).default(3_000),
      json: z.boolean().default(false),
      interface: z.ipv4("must be the IPv4 address of a local interface").optional(),
      config: z.string().optional(),
    }),
    opts,
  );

export function buildProgram(version: string): Command {
  const program = new Command("homecam")
    .description("homecam agent: camera capture, motion events, recording and live view on this host")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError()
    // Throw instead of exiting, so a usage error exits 2 (see the top of this file).
    .exitOverride();

  configOption(
    program.command("run").description("run the agent in the foreground until SIGINT/SIGTERM"),
  ).action((opts: { config?: string }) =>
    act(async () => (await import("./commands/run.js")).runCommand(opts)),
  );

  configOption(
    program
      .command("doctor")
      .description("check ffmpeg, the state directory, free disk and the clock; each problem with a fix")
      .option("--json", "print the results as JSON"),
  ).action((opts: { config?: string; json?: boolean }) =>
    act(async () => (await import("./commands/doctor.js")).doctorCommand(opts)),
  );

  configOption(
    program
      .command("pair")
      .description(
        "pair this host with a homecam account: shows a PIN and a QR code, then waits for the claim",
      )
      .option("--json", "print {pairingId, pin, url, expiresAt} as JSON and exit without waiting")
      .option(
        "--timeout <seconds>",
        "stop waiting after this many seconds (default: until the session expires)",
      )
      .option("--local", "pair a viewer on this network without any cloud: prints a PIN and exits")
      .option("--owner", "with --local: whoever claims the PIN becomes an owner (can publish /capture)")
      .option("--camera <id>", "with --local: print the /capture link of this browser camera"),
  ).action((opts: Record<string, unknown>) =>
    act(async () =>
      opts["local"]
        ? (await import("./lan-pairing/local-pair-commands.js")).pairLocalCommand(opts)
        : (await import("./commands/pair.js")).pairCommand(opts),
    ),
  );

  const viewers = program.command("viewers").description("viewers paired on the LAN with `pair --local`");
  configOption(
    viewers.command("list").description("list local viewers").option("--json", "print a JSON array"),
  ).action((opts: Record<string, unknown>) =>
    act(async () => (await import("./lan-pairing/local-pair-commands.js")).viewersListCommand(opts)),
  );
  configOption(
    viewers
      .command("revoke")
      .description("revoke a local viewer: its tokens and refresh secret stop working at once")
      .argument("<id>", "viewer id (from `homecam viewers list`)")
      .option("--json", "print {viewerId, revoked} as JSON"),
  ).action((id: string, opts: Record<string, unknown>) =>
    act(async () => (await import("./lan-pairing/local-pair-commands.js")).viewersRevokeCommand(id, opts)),
  );

  configOption(
    program
      .command("status")
      .description(
        "ask the running agent for each camera's state, fps and events, and the host's CPU and disk",
      )
      .option("--json", "print the status as JSON"),
  ).action((opts: Record<string, unknown>) =>
    act(async () => (await import("./commands/status.js")).statusCommand(opts)),
  );

  const events = program.command("events").description("motion and manual events stored on this host");
  configOption(
    events
      .command("list")
      .description("list events newest first (reads the database directly; works when the agent is stopped)")
      .option("--camera <id>", "only this camera's events")
      .option(
        "--since <when>",
        "only events since an ISO date (2025-06-01, 2025-06-01T08:00) or a duration (2h, 7d)",
      )
      .option("--limit <n>", "at most this many events (default 50)")
      .option("--json", "print a JSON array"),
  ).action((opts: Record<string, unknown>) =>
    act(async () => (await import("./commands/events-list.js")).eventsListCommand(opts)),
  );

  const recordings = program.command("recordings").description("clips stored on this host");
  configOption(
    recordings
      .command("list")
      .description("list clips newest first (reads the database directly; works when the agent is stopped)")
      .option("--camera <id>", "only this camera's clips")
      .option("--event <id>", "only the clips of this event")
      .option("--since <when>", "only clips since an ISO date or a duration (2h, 7d)")
      .option("--limit <n>", "at most this many clips (default 50)")
      .option("--json", "print a JSON array"),
  ).action((opts: Record<string, unknown>) =>
    act(async () => (await import("./commands/recordings-list.js")).recordingsListCommand(opts)),
  );

  configOption(
    program
      .command("snapshot")
      .description("save a current JPEG from a camera of the running agent")
      .argument("<camera>", "camera id")
      .option("-o, --output <file>", "where to write the JPEG (- for standard output)")
      .option("--json", "print {cameraId, file, bytes} as JSON"),
  ).action((camera: string, opts: Record<string, unknown>) =>
    act(async () => (await import("./commands/snapshot.js")).snapshotCommand(camera, opts)),
  );

  configOption(
    program
      .command("record")
      .description("record a manual event now on the running agent; prints the clip paths when written")
      .argument("<camera>", "camera id")
      .option("--seconds <n>", "length of the recording, 1 to 600")
      .option("--json", "print the event id and clips as JSON"),
  ).action((camera: string, opts: Record<string, unknown>) =>
    act(async () => (await import("./commands/record.js")).recordCommand(camera, opts)),
  );

  const cameras = program.command("cameras").description("cameras on the network");
  configOption(
    cameras
      .command("discover")
      .description(
        "find ONVIF cameras on the local network with WS-Discovery (the configuration is not read)",
      )
      .option("--timeout <ms>", "how long to listen for answers (default 3000)")
      .option("--interface <ip>", "IPv4 address of the local interface to probe on")
      .option("--json", "print a JSON array"),
  ).action((opts: Record<string, unknown>) =>
    act(async () => {
      const flags = discoverFlags(opts);
      const { camerasDiscover } = await import("./commands/cameras-discover.js");
      await camerasDiscover({
        timeoutMs: flags.timeout,
        json: flags.json,
        ...(flags.interface ? { interfaceAddress: flags.interface } : {}),
      });
      return 0;
    }),
  );

  return program;
}

try {
  await buildProgram(agentVersion()).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed the message (and the help); --help and --version exit 0.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_CONFIG;
  } else {
    process.stderr.write(`homecam: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
