import { setTimeout as sleep } from "node:timers/promises";
import type { PairingSession } from "@homecam/shared";
import QRCode from "qrcode";
import { z } from "zod";
import { PairingError } from "../cloud/pairing-error.js";
import type { PairingStatus } from "../cloud/pairing-manager.js";
import { configFlag, intFlag, jsonFlag, parseFlags } from "../control/cli-flags.js";
import { formatLocalTime } from "../control/cli-table.js";
import { type ControlClient, withControlClient } from "../control/control-client.js";
import { ControlError } from "../control/control-error.js";
import { controlSocketPath } from "../control/protocol.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";
import { pinBanner } from "./pin-banner.js";

const flagsSchema = z.strictObject({
  config: configFlag,
  json: jsonFlag,
  timeout: intFlag(1, 86_400).optional(),
});

/** How often the claim is looked for. */
const POLL_INTERVAL_MS = 1_000;
// The agent's own request to the cloud may take its full 10 s timeout; leave room for that answer.
const PAIR_CALL_TIMEOUT_MS = 20_000;

/** `in 9 min`, `in less than a minute`, `already passed`. */
export function minutesLeft(expiresAtMs: number, now: number): string {
  const ms = expiresAtMs - now;
  if (ms <= 0) return "already passed";
  if (ms < 60_000) return "in less than a minute";
  return `in ${Math.round(ms / 60_000)} min`;
}

/** The human screen of an open session: PIN (plain and large), QR code, URL, expiry. */
export function formatSession(session: PairingSession, qr: string, now: number): string {
  const expiresAt = Date.parse(session.expiresAt);
  return [
    "Pair this camera host with a homecam account: scan the QR code with your phone, or open",
    "the viewer's pair page and type the PIN.",
    "",
    `  PIN ${session.pin}`,
    "",
    pinBanner(session.pin),
    qr.trimEnd(),
    "",
    `  ${session.url}`,
    `  Expires at ${formatLocalTime(expiresAt)} (${minutesLeft(expiresAt, now)}).`,
    "",
    "Waiting for the claim (Ctrl-C stops waiting; the session stays open until it expires)…",
    "",
  ].join("\n");
}

/** Why a session that is no longer open was not claimed, and what to do. */
export function endedMessage(state: Exclude<PairingStatus["state"], "open" | "claimed">): string {
  switch (state) {
    case "expired":
      return "the pairing session expired before it was claimed; run `homecam pair` again";
    case "burned":
      return "the pairing session was closed after too many wrong PINs; run `homecam pair` again";
    case "cancelled":
      return "the pairing session was cancelled: a newer one was started on this host";
  }
}

/**
 * Poll `pair.status` until the session is claimed (resolves the role), ends (throws a
 * {@link PairingError}) or `deadline` passes. A cloud that is briefly unreachable is waited out.
 */
async function waitForClaim(
  client: ControlClient,
  session: PairingSession,
  deadline: { at: number; why: string },
): Promise<PairingStatus["claimedRole"]> {
  let warned = false;
  for (;;) {
    const status = await pollStatus(client, session.pairingId, () => {
      if (!warned) process.stderr.write("homecam: the cloud is unreachable right now; still waiting\n");
      warned = true;
    });
    if (status?.state === "claimed") return status.claimedRole;
    if (status && status.state !== "open") {
      throw new PairingError("HC_ERR_PAIRING_NOT_CLAIMED", endedMessage(status.state));
    }
    const left = deadline.at - Date.now();
    if (left <= 0) throw new PairingError("HC_ERR_PAIRING_NOT_CLAIMED", deadline.why);
    await sleep(Math.min(POLL_INTERVAL_MS, left));
  }
}

/** One `pair.status` call; null when the agent could not reach the cloud this time. */
async function pollStatus(
  client: ControlClient,
  pairingId: string,
  onUnreachable: () => void,
): Promise<PairingStatus | null> {
  try {
    return await client.call("pair.status", { pairingId }, { timeoutMs: PAIR_CALL_TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof ControlError) || err.remoteCode !== "HC_ERR_CLOUD_UNREACHABLE") throw err;
    onUnreachable();
    return null;
  }
}

/**
 * `homecam pair [--json] [--timeout <seconds>]`: the running agent opens a pairing session on the
 * cloud; this prints its PIN, QR code and expiry, then waits for the claim (exit 0 with the role)
 * or the session's end (exit 1). `--json` prints the session and exits at once.
 */
export async function pairCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, opts);
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;
  const socketPath = controlSocketPath(loaded.config.stateDir);
  return withControlClient(socketPath, async (client) => {
    const session = await client.call("pair.start", {}, { timeoutMs: PAIR_CALL_TIMEOUT_MS });
    if (flags.json) {
      const { pairingId, pin, url, expiresAt } = session;
      process.stdout.write(`${JSON.stringify({ pairingId, pin, url, expiresAt })}\n`);
      return 0;
    }
    const qr = await QRCode.toString(session.url, { type: "terminal", small: true });
    const started = Date.now();
    process.stdout.write(formatSession(session, qr, started));
    const expiresAt = Date.parse(session.expiresAt);
    const until = formatLocalTime(expiresAt);
    const deadline =
      flags.timeout !== undefined && started + flags.timeout * 1_000 < expiresAt
        ? {
            at: started + flags.timeout * 1_000,
            why: `not claimed within ${flags.timeout} s; the session stays open until ${until}`,
          }
        : { at: expiresAt, why: endedMessage("expired") };
    const role = await waitForClaim(client, session, deadline);
    process.stdout.write(role ? `Paired: ${role}\n` : "Paired.\n");
    return 0;
  });
}
