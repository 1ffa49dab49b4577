// The live bench's figures as text: the machine, a table per part, one line per target. Pure.

import { summariseLatencies, table } from "../relay/report.js";
import type { LatencyResult } from "./latency.js";
import { marginalPercent, type ViewerCpuResult, type ViewerCpuRun } from "./viewer-cpu.js";

/** Issue 8's targets. */
export const TARGETS = {
  webrtcP50Ms: 250,
  fallbackP50Ms: 1500,
  manyOverOne: 1.2,
  passthroughOverReencode: 0.1,
} as const;

const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const pct = (v: number) => v.toFixed(1);

export function formatLatency(results: readonly LatencyResult[]): string {
  const rows = results.map((r) => {
    const s = summariseLatencies(r.latencies);
    return [
      r.transport === "webrtc" ? "WebRTC (WHEP)" : "fallback (fMP4/WS)",
      String(r.latencies.length),
      ms(s.p50Ms),
      ms(s.p95Ms),
      ms(Math.min(...r.latencies)),
      ms(s.maxMs),
      String(r.rejected),
      ms(r.firstFrameMs),
    ];
  });
  const header = ["transport", "samples", "p50 ms", "p95 ms", "min ms", "max ms", "misread", "1st frame ms"];
  return table(header, rows);
}

export function formatViewerCpu(agent: ViewerCpuResult, wrtc: ViewerCpuResult): string {
  const row = (server: string, r: ViewerCpuRun | undefined): string[] =>
    r
      ? [
          server,
          String(r.viewers),
          pct(r.cpu.rootPercent),
          pct(r.cpu.treePercent),
          r.minPacketsPerS.toFixed(0),
        ]
      : [];
  const rows = [
    row("agent (werift passthrough)", agent.idle),
    row("agent (werift passthrough)", agent.one),
    row("agent (werift passthrough)", agent.many),
    row("wrtc (VP8 re-encode)", wrtc.one),
    row("wrtc (VP8 re-encode)", wrtc.many),
  ].filter((r) => r.length > 0);
  const header = ["server", "viewers", "node % core", "+ffmpeg % core", "min pkt/s/viewer"];
  return table(header, rows);
}

export interface TargetFigures {
  webrtcP50Ms: number;
  fallbackP50Ms: number;
  /** cpu(N) / cpu(1) of the agent: Node alone, Node + ffmpeg. */
  nodeRatio: number;
  treeRatio: number;
  werift: number;
  wrtc: number;
}

export function targetFigures(
  latency: readonly LatencyResult[],
  agent: ViewerCpuResult,
  wrtc: ViewerCpuResult,
) {
  const p50 = (t: string) =>
    summariseLatencies(latency.find((r) => r.transport === t)?.latencies ?? []).p50Ms;
  return {
    webrtcP50Ms: p50("webrtc"),
    fallbackP50Ms: p50("websocket"),
    nodeRatio: agent.many.cpu.rootPercent / agent.one.cpu.rootPercent,
    treeRatio: agent.many.cpu.treePercent / agent.one.cpu.treePercent,
    werift: marginalPercent(agent),
    wrtc: marginalPercent(wrtc),
  } satisfies TargetFigures;
}

export function formatTargets(f: TargetFigures, viewers: number): string[] {
  const ratio = f.werift / f.wrtc;
  return [
    `WebRTC p50 ${ms(f.webrtcP50Ms)} ms (target ≤ ${TARGETS.webrtcP50Ms} ms): ${verdict(f.webrtcP50Ms <= TARGETS.webrtcP50Ms)}`,
    `fallback p50 ${ms(f.fallbackP50Ms)} ms (target ≤ ${TARGETS.fallbackP50Ms} ms): ${verdict(f.fallbackP50Ms <= TARGETS.fallbackP50Ms)}`,
    `agent CPU ${viewers} viewers / 1, Node + ffmpeg: ${f.treeRatio.toFixed(2)}× (target ≤ ${TARGETS.manyOverOne}×): ${verdict(f.treeRatio <= TARGETS.manyOverOne)}`,
    `agent CPU ${viewers} viewers / 1, Node alone: ${f.nodeRatio.toFixed(2)}× (target ≤ ${TARGETS.manyOverOne}×): ${verdict(f.nodeRatio <= TARGETS.manyOverOne)}`,
    `marginal CPU per viewer: werift passthrough ${f.werift.toFixed(2)} % of a core, wrtc re-encode ${f.wrtc.toFixed(2)} %; ` +
      `ratio ${ratio.toFixed(3)}× (target ≤ ${TARGETS.passthroughOverReencode}×): ${verdict(ratio <= TARGETS.passthroughOverReencode)}`,
  ];
}
