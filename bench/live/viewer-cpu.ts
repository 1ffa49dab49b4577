// Parts 2 and 3: a server's CPU with 1 and with N concurrent werift viewers in their own process.
// The same procedure for the agent (WHEP, H.264 passed through) and for the wrtc server (VP8
// re-encoded per peer): open the viewers, wait until every one receives RTP, let it settle, then
// read the server's CPU over a window; every viewer must keep receiving through the window.

import { type CpuUse, measureCpu } from "./proc-tree.js";
import { type Answerer, ViewerProcess } from "./viewers.js";
import type { ViewerCodec } from "./viewers-child.js";

export interface ViewerCpuOptions {
  /** The server process (its descendants, e.g. ffmpeg, are reported apart). */
  pid: number;
  codec: ViewerCodec;
  answer: Answerer;
  viewers: number;
  windowS: number;
  settleS: number;
  /** Also measure with no viewer first (the server's own background). */
  idle: boolean;
}

export interface ViewerCpuRun {
  viewers: number;
  cpu: CpuUse;
  /** RTP packets per second per viewer during the window (the least-served viewer). */
  minPacketsPerS: number;
}

export interface ViewerCpuResult {
  idle?: ViewerCpuRun;
  one: ViewerCpuRun;
  many: ViewerCpuRun;
}

const CONNECT_TIMEOUT_MS = 20_000;

export async function measureViewerCpu(
  opts: ViewerCpuOptions,
  log: (line: string) => void,
): Promise<ViewerCpuResult> {
  const viewers = await ViewerProcess.start();
  try {
    const window = async (n: number): Promise<ViewerCpuRun> => {
      await new Promise((r) => setTimeout(r, opts.settleS * 1000));
      const before = n > 0 ? await viewers.waitReceiving(CONNECT_TIMEOUT_MS) : [];
      const cpu = await measureCpu(opts.pid, opts.windowS * 1000);
      const after = n > 0 ? await viewers.waitReceiving(CONNECT_TIMEOUT_MS, before, 1) : [];
      const least = Math.min(...after.map((p, i) => p - (before[i] ?? 0)));
      const run = { viewers: n, cpu, minPacketsPerS: n > 0 ? least / opts.windowS : 0 };
      log(
        `  ${n} viewer(s): process ${cpu.rootPercent.toFixed(1)} %, with children ${cpu.treePercent.toFixed(1)} % of a core`,
      );
      return run;
    };
    const idle = opts.idle ? await window(0) : undefined;
    await viewers.open(opts.codec, opts.answer);
    await viewers.waitReceiving(CONNECT_TIMEOUT_MS);
    const one = await window(1);
    for (let i = 1; i < opts.viewers; i++) await viewers.open(opts.codec, opts.answer);
    await viewers.waitReceiving(CONNECT_TIMEOUT_MS);
    const many = await window(opts.viewers);
    return { ...(idle && { idle }), one, many };
  } finally {
    await viewers.close();
  }
}

/** (cpu(N) − cpu(1)) / (N − 1), % of a core per extra viewer, of the server process alone. */
export function marginalPercent(r: ViewerCpuResult): number {
  return (r.many.cpu.rootPercent - r.one.cpu.rootPercent) / (r.many.viewers - 1);
}
