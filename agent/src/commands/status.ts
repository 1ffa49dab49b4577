import { z } from "zod";
import type { CameraState, HostState } from "../camera/control.js";
import { configFlag, jsonFlag, parseFlags } from "../control/cli-flags.js";
import { cell, formatBytes, formatDurationMs, formatLocalTime, formatTable } from "../control/cli-table.js";
import { withControlClient } from "../control/control-client.js";
import { controlSocketPath, type StatusResult } from "../control/protocol.js";
import { EXIT_CONFIG, loadAgentConfig } from "./load-agent-config.js";

const flagsSchema = z.strictObject({ config: configFlag, json: jsonFlag });

const STATUS_TIMEOUT_MS = 15_000;

function cameraRow(c: CameraState, now: number): string[] {
  const last =
    c.lastEventAt === null ? "never" : `${formatLocalTime(c.lastEventAt)} (${ago(now - c.lastEventAt)})`;
  return [
    c.id,
    c.name,
    c.status,
    c.status === "online" ? c.analysisFps.toFixed(1) : "-",
    c.eventActive ? "yes" : "no",
    last,
    cell(c.reason),
  ];
}

function ago(ms: number): string {
  if (ms < 0) return "in the future";
  if (ms < 60_000) return "just now";
  return `${formatDurationMs(ms)} ago`;
}

function mb(n: number): string {
  return formatBytes(n * 1024 * 1024);
}

function hostLines(h: HostState): string[][] {
  const usedPct =
    h.diskTotalMB > 0 ? Math.round(((h.diskTotalMB - h.diskFreeMB) / h.diskTotalMB) * 100) : null;
  return [
    ["CPU", h.cpuPercent === null ? "unknown" : `${Math.round(h.cpuPercent)} %`],
    ["temperature", h.temperatureC === null ? "unknown" : `${h.temperatureC.toFixed(1)} °C`],
    [
      "disk",
      `${mb(h.diskFreeMB)} free of ${mb(h.diskTotalMB)}${usedPct === null ? "" : ` (${usedPct} % used)`}`,
    ],
    ["storage", h.storage.detail ? `${h.storage.state}: ${h.storage.detail}` : h.storage.state],
    ["uptime", formatDurationMs(h.uptimeS * 1000)],
  ];
}

/** The human report: one row per camera, then the host (pure; `now` for "… ago"). */
export function formatStatus(status: StatusResult, now: number): string {
  const cams =
    status.cameras.length === 0
      ? "No cameras configured.\n"
      : formatTable(
          ["CAMERA", "NAME", "STATUS", "FPS", "EVENT", "LAST EVENT", "REASON"],
          status.cameras.map((c) => cameraRow(c, now)),
          { right: [3] },
        );
  const host = hostLines(status.host)
    .map(([k, v]) => `  ${(k ?? "").padEnd(12)} ${v}`)
    .join("\n");
  return `${cams}\nHOST\n${host}\n`;
}

/** `homecam status [--json]`: asks the running agent over its control socket. */
export async function statusCommand(opts: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(flagsSchema, opts);
  const loaded = loadAgentConfig(flags.config);
  if (!loaded) return EXIT_CONFIG;
  const socketPath = controlSocketPath(loaded.config.stateDir);
  const status = await withControlClient(socketPath, (c) =>
    c.call("status", {}, { timeoutMs: STATUS_TIMEOUT_MS }),
  );
  process.stdout.write(
    flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, Date.now()),
  );
  return 0;
}
