// Plain-text tables of the relay bench's figures. Pure: results in, strings out.

import type { IdleAgentsResult } from "./idle-agents.js";
import type { ThroughputResult } from "./throughput.js";

/** Issue 6's targets: homecam/Mosquitto broker CPU per message, and broker KB per idle agent. */
export const CPU_RATIO_TARGET = 2;
export const KB_PER_AGENT_TARGET = 20;

/** Medians over the repeated runs of one broker, each figure taken on its own. */
export interface ThroughputSummary {
  label: string;
  runs: number;
  cpuUsPerMsg: number;
  wallS: number;
  msgsPerS: number;
  /** Broker CPU / wall time: well under 100 % while msg/s is low means the path waits, not works. */
  busyPercent: number;
  /** Every run's µs per message, in run order. */
  each: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function summarise(runs: readonly ThroughputResult[]): ThroughputSummary {
  return {
    label: runs[0]?.label ?? "?",
    runs: runs.length,
    cpuUsPerMsg: median(runs.map((r) => r.cpuUsPerMsg)),
    wallS: median(runs.map((r) => r.wallS)),
    msgsPerS: median(runs.map((r) => r.msgsPerS)),
    busyPercent: median(runs.map((r) => (100 * r.brokerCpuS) / r.wallS)),
    each: runs.map((r) => r.cpuUsPerMsg),
  };
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const verdict = (ok: boolean) => (ok ? "MET" : "MISSED");

/** One progress line per measured throughput run. */
export function formatThroughputRun(r: ThroughputResult, run: number): string {
  return (
    `  run ${run} ${r.broker.padEnd(9)} ${r.cpuUsPerMsg.toFixed(2).padStart(7)} µs CPU/msg  ` +
    `${r.brokerCpuS.toFixed(2)} s CPU  ${r.wallS.toFixed(2)} s wall  ` +
    `broker busy ${Math.round((100 * r.brokerCpuS) / r.wallS)} %  ${Math.round(r.msgsPerS)} msg/s  ` +
    `(${r.received}/${r.messages} received)`
  );
}

export function formatThroughput(homecam: ThroughputSummary, mosquitto: ThroughputSummary): string {
  const row = (s: ThroughputSummary) => [
    s.label,
    s.cpuUsPerMsg.toFixed(2),
    s.wallS.toFixed(2),
    String(Math.round(s.msgsPerS)),
    `${Math.round(s.busyPercent)} %`,
    s.each.map((v) => v.toFixed(2)).join(" / "),
  ];
  const ratio = homecam.cpuUsPerMsg / mosquitto.cpuUsPerMsg;
  const verdictLine =
    mosquitto.cpuUsPerMsg > 0
      ? `  CPU per message homecam / Mosquitto: ${ratio.toFixed(2)}x  ` +
        `target <= ${CPU_RATIO_TARGET}x: ${verdict(ratio <= CPU_RATIO_TARGET)}`
      : "  Mosquitto's CPU in the window was below /proc's 10 ms resolution: no ratio (use more --messages)";
  return [
    table(
      ["broker", "µs CPU/msg", "wall s", "msg/s", "broker busy", "µs CPU/msg per run"],
      [row(homecam), row(mosquitto)],
    ),
    verdictLine,
  ].join("\n");
}

export function formatIdleAgents(homecam: IdleAgentsResult, mosquitto: IdleAgentsResult): string {
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  const kb = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(1));
  const row = (r: IdleAgentsResult) => [
    r.label,
    String(r.agents),
    mb(r.rssBeforeKb),
    mb(r.rssAfterKb),
    kb(r.kbPerAgent),
    kb(r.marginalKbPerAgent),
    kb(r.heapKbPerAgent),
    kb(r.marginalHeapKbPerAgent),
    r.connectCpuMsPerAgent.toFixed(3),
  ];
  return [
    table(
      [
        "broker",
        "agents",
        "RSS before MB",
        "RSS after MB",
        "RSS KB/agent",
        "2nd half",
        "heap KB/agent",
        "2nd half",
        "connect CPU ms/agent",
      ],
      [row(homecam), row(mosquitto)],
    ),
    `  homecam RSS per idle agent: ${homecam.kbPerAgent.toFixed(1)} KB  ` +
      `target <= ${KB_PER_AGENT_TARGET} KB: ${verdict(homecam.kbPerAgent <= KB_PER_AGENT_TARGET)}; ` +
      `${(homecam.kbPerAgent / mosquitto.kbPerAgent).toFixed(1)}x Mosquitto`,
  ].join("\n");
}
