// Plain-text tables of the relay bench's figures. Pure: results in, strings out.

import type { IdleAgentsResult } from "./idle-agents.js";
import type { RoundTripResult, RoundTripRun } from "./roundtrip.js";
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

/** Round-trip percentiles of one run, ms. */
export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile (`p` in 0–100] of values sorted ascending; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summariseLatencies(latenciesMs: readonly number[]): LatencySummary {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50Ms: percentile(s, 50),
    p95Ms: percentile(s, 95),
    p99Ms: percentile(s, 99),
    maxMs: percentile(s, 100),
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

export function formatRoundTrip(r: RoundTripResult): string {
  const ms = (v: number) => v.toFixed(2);
  const rows = r.runs.map((run) => [
    `${run.command}, ${run.concurrency === 1 ? "sequential" : `${run.concurrency} in flight`}`,
    String(run.answered),
    ms(run.p50Ms),
    ms(run.p95Ms),
    ms(run.p99Ms),
    ms(run.maxMs),
    String(Math.round(run.reqPerS)),
    run.cloudCpuMsPerCmd.toFixed(3),
    run.agentCpuMsPerCmd.toFixed(3),
  ]);
  return [
    table(
      [
        "run",
        "commands",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "req/s",
        "cloud CPU ms/cmd",
        "agent+client CPU ms/cmd",
      ],
      rows,
    ),
    ...r.runs.filter((run) => run.command === "settings.get" && run.concurrency === 1).map(waitingLine),
    "  Mosquitto: not applicable. The relay publishes and receives through the cloud's embedded broker " +
      "in-process (no MQTT client of its own, no external-broker mode), so there is no round trip to run " +
      "with Mosquitto in its place; part 1 compares the brokers themselves.",
  ].join("\n");
}

/**
 * How much of a sequential round trip is CPU work (cloud + agent + client) and how much waiting: a
 * round trip far longer than its CPU time waits on something (a timer, Nagle's algorithm).
 */
function waitingLine(run: RoundTripRun): string {
  const cpuMs = run.cloudCpuMsPerCmd + run.agentCpuMsPerCmd;
  const share = (100 * cpuMs) / run.p50Ms;
  return (
    `  settings.get sequential: ${cpuMs.toFixed(2)} ms CPU per command (cloud + agent + client) in a ` +
    `${run.p50Ms.toFixed(2)} ms p50 round trip (${Math.round(share)} %)` +
    (share < 50 ? ": the round trip mostly waits, it does not work (see README, part 3 findings)" : "")
  );
}
