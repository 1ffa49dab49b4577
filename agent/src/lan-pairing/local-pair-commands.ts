import { cameraIdSchema } from "@homecam/shared";
import QRCode from "qrcode";
import { z } from "zod";
import { EXIT_CONFIG, loadAgentConfig } from "../commands/load-agent-config.js";
import { pinBanner } from "../commands/pin-banner.js";
import { configFlag, jsonFlag, parseFlags } from "../control/cli-flags.js";
import { formatLocalTime } from "../control/cli-table.js";
import { type ControlClient, withControlClient } from "../control/control-client.js";
import { controlSocketPath } from "../control/protocol.js";

// `homecam pair --local` and `homecam viewers list|revoke`: LAN pairing without a cloud, through
// the running agent's control socket (its file permissions are the operator's credential).

const pairFlags = z.strictObject({
  config: configFlag,
  json: jsonFlag,
  local: z.literal(true),
  owner: z.literal(true).optional(),
  camera: cameraIdSchema.optional(),
});
const listFlags = z.strictObject({ config: configFlag, json: jsonFlag });
const revokeFlags = z.strictObject({
  config: configFlag,
  json: jsonFlag,
  viewerId: z.string().min(1).max(64),
});

async function withAgent(
  config: string | undefined,
  fn: (c: ControlClient) => Promise<number>,
): Promise<number> {
  const loaded = loadAgentConfig(config);
  if (!loaded) return EXIT_CONFIG;
  return withControlClient(controlSocketPath(loaded.config.stateDir), fn);
}

/** Opens a local session and prints its PIN, a QR code of the claim URL and the expiry. */
export async function pairLocalCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(pairFlags, opts);
  return withAgent(flags.config, async (client) => {
    const s = await client.call("pair.local", {
      ...(flags.owner && { owner: true }),
      ...(flags.camera !== undefined && { camera: flags.camera }),
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ pin: s.pin, url: s.url, expiresAt: s.expiresAt })}\n`);
      return 0;
    }
    const qr = await QRCode.toString(s.url, { type: "terminal", small: true });
    process.stdout.write(
      [
        "Pair a viewer on this network (no cloud needed): scan the QR code, or open the URL and type the PIN.",
        "",
        `  PIN ${s.pin}`,
        "",
        pinBanner(s.pin),
        qr.trimEnd(),
        "",
        `  ${s.url}`,
        `  Expires at ${formatLocalTime(Date.parse(s.expiresAt))}; single use, closed after 5 wrong PINs.`,
        "",
      ].join("\n"),
    );
    return 0;
  });
}

/** Lists the viewers paired locally, revoked ones included. */
export async function viewersListCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(listFlags, opts);
  return withAgent(flags.config, async (client) => {
    const { viewers } = await client.call("viewers.list", {});
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(viewers)}\n`);
      return 0;
    }
    if (viewers.length === 0) process.stdout.write("No local viewers.\n");
    for (const v of viewers) {
      const state = v.revokedAt === null ? "active" : `revoked ${formatLocalTime(v.revokedAt)}`;
      process.stdout.write(`${v.id}  ${v.role.padEnd(6)}  ${state.padEnd(8)}  ${v.name}\n`);
    }
    return 0;
  });
}

/** Revokes a local viewer: its refresh secret and every token it holds stop working at once. */
export async function viewersRevokeCommand(viewerId: string, opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(revokeFlags, { ...opts, viewerId }, { viewerId: "<id>" });
  return withAgent(flags.config, async (client) => {
    await client.call("viewers.revoke", { viewerId: flags.viewerId });
    process.stdout.write(
      flags.json ? `${JSON.stringify({ viewerId, revoked: true })}\n` : `Revoked ${viewerId}.\n`,
    );
    return 0;
  });
}
