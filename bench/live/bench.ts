// The live bench proper (run.ts re-executes itself into this, confined to loopback when it can).
// Part 1: glass-to-glass latency in Chromium over WebRTC and over the fMP4 fallback.
// Part 2: the agent's CPU with 1 and N concurrent WHEP viewers (werift peers, another process).
// Part 3: marginal CPU per viewer, werift passthrough (part 2) against @roamhq/wrtc re-encoding.

import { chromium } from "playwright-core";
import { startAgentUnderTest } from "./agent-process.js";
import { CHROMIUM_FLAGS, type LatencyResult, measureLatency } from "./latency.js";
import { machineLines } from "./machine.js";
import { type LiveBenchOptions, parseOptions } from "./options.js";
import {
  formatLatency,
  formatTargets,
  formatViewerCpu,
  type TargetFigures,
  targetFigures,
} from "./report.js";
import { measureViewerCpu, type ViewerCpuResult } from "./viewer-cpu.js";
import { whepClient } from "./whep-client.js";
import { WrtcServer } from "./wrtc-server.js";

export { parseOptions } from "./options.js";

export interface LiveBenchResult {
  latency: LatencyResult[];
  agent: ViewerCpuResult;
  wrtc: ViewerCpuResult;
  targets: TargetFigures;
}

/** Set by run.ts: how the bench's network was confined. */
export const NETWORK_ENV = "HOMECAM_BENCH_LIVE_NETWORK";

export async function runLiveBench(
  opts: LiveBenchOptions,
  out: (line: string) => void,
): Promise<LiveBenchResult> {
  const video = { width: opts.width, height: opts.height, fps: opts.fps };
  out(`bench/live: test camera ${video.width}x${video.height} @ ${video.fps} fps, H.264 baseline, 1 s GOP`);
  const agent = await startAgentUnderTest(video);
  const latency: LatencyResult[] = [];
  let agentCpu: ViewerCpuResult;
  try {
    const browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_FLAGS });
    try {
      for (const line of machineLines(browser.version(), process.env[NETWORK_ENV] ?? "not confined"))
        out(line);
      out(`\nPart 1: glass-to-glass latency (${opts.samples} samples after ${opts.warmupS} s of playback)`);
      for (const transport of ["webrtc", "websocket"] as const) {
        const r = await measureLatency(browser, agent, video, transport, opts);
        out(`  ${transport}: ${r.latencies.length} samples via ${r.api}, ${r.rejected} misread`);
        latency.push(r);
      }
    } finally {
      await browser.close();
    }
    out(`\nPart 2: agent CPU, 0 / 1 / ${opts.viewers} WHEP viewers (${opts.windowS} s windows)`);
    const whep = whepClient(agent);
    try {
      agentCpu = await measureViewerCpu(
        { pid: agent.pid, codec: "h264", answer: whep.answer, idle: true, ...cpuWindows(opts) },
        out,
      );
    } finally {
      await whep.endAll();
    }
  } finally {
    await agent.stop();
  }

  out(`\nPart 3: @roamhq/wrtc re-encoding the same scene (VP8), 1 / ${opts.viewers} viewers`);
  const wrtc = await WrtcServer.start(video);
  let wrtcCpu: ViewerCpuResult;
  try {
    wrtcCpu = await measureViewerCpu(
      { pid: wrtc.pid, codec: "vp8", answer: wrtc.answer, idle: false, ...cpuWindows(opts) },
      out,
    );
    const encoders = (await wrtc.framesEncoded()).filter((f) => f > 0).length;
    out(`  ${encoders} VP8 encoders ran (one per peer connection)`);
  } finally {
    await wrtc.stop();
  }

  const targets = targetFigures(latency, agentCpu, wrtcCpu);
  out("\nResults");
  out(formatLatency(latency));
  out("");
  out(formatViewerCpu(agentCpu, wrtcCpu));
  out("");
  for (const line of formatTargets(targets, opts.viewers)) out(line);
  return { latency, agent: agentCpu, wrtc: wrtcCpu, targets };
}

const cpuWindows = (o: LiveBenchOptions) => ({ viewers: o.viewers, windowS: o.windowS, settleS: o.settleS });

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  await runLiveBench(opts, (line) => console.log(line));
  return 0;
}
