// Part 1: glass-to-glass latency in Chromium, over WebRTC (the element's WHEP path) and over the
// fMP4 WebSocket fallback (the same element with `#transport=websocket`), from the agent's own
// /live page. The picture carries the wall clock at the moment ffmpeg emitted the frame; the page
// reads it back when the frame is presented (see page-sampler.ts).

import type { Browser, Page } from "playwright-core";
import { CLOCK_BITS, counterCell } from "../../agent/src/capture/test-scene.js";
import { CHROMIUM_FLAGS } from "../../agent/test/integration/live/page-helpers.js";
import { type AgentUnderTest, BENCH_CAMERA, type VideoShape } from "./agent-process.js";
import { INSTALL_SAMPLER, SAMPLER_GLOBAL, type SamplerConfig, type SamplerState } from "./page-sampler.js";

export type Transport = "webrtc" | "websocket";

/** Chromium's flags for loopback WebRTC (DESIGN §8): the same as the agent's browser tests. */
export { CHROMIUM_FLAGS };

export interface LatencyResult {
  transport: Transport;
  /** ms, in the order sampled. */
  latencies: number[];
  rejected: number;
  /** Distinct frames seen, warm-up included. */
  frames: number;
  api: string;
  /** From navigation to the first decoded frame. */
  firstFrameMs: number;
}

const PLAYING: Record<Transport, string> = {
  // The element marks WebRTC only once a decoded frame is on screen.
  webrtc: `document.querySelector("homecam-live")?.dataset.transport === "webrtc"`,
  websocket: `(() => { const el = document.querySelector("homecam-live"); const v = el?.querySelector("video");
    return !!el?.socket && !!v && v.srcObject === null && v.readyState >= 2 && v.currentTime > 0; })()`,
};

export async function measureLatency(
  browser: Browser,
  agent: AgentUnderTest,
  video: VideoShape,
  transport: Transport,
  opts: { samples: number; warmupS: number },
): Promise<LatencyResult> {
  const page = await browser.newPage();
  try {
    const hash = `token=${agent.token}${transport === "websocket" ? "&transport=websocket" : ""}`;
    const t0 = Date.now();
    await page.goto(`${agent.url}/live?camera=${BENCH_CAMERA}#${hash}`);
    await poll(page, PLAYING[transport], 20_000);
    const firstFrameMs = Date.now() - t0;
    const config: SamplerConfig = {
      cell: counterCell(video.width),
      bits: CLOCK_BITS,
      warmupMs: opts.warmupS * 1000,
      samples: opts.samples,
      toleranceMs: 50,
      maxMs: 30_000,
    };
    const api = String(await page.evaluate(`${INSTALL_SAMPLER}(${JSON.stringify(config)})`));
    // Frames may be dropped: allow three times the nominal duration, plus slack for a slow machine.
    const budgetMs = opts.warmupS * 1000 + (3 * 1000 * opts.samples) / video.fps + 15_000;
    await poll(page, `window.${SAMPLER_GLOBAL}.latencies.length >= ${opts.samples}`, budgetMs).catch(
      async (err) => {
        const s = (await page.evaluate(`window.${SAMPLER_GLOBAL}`)) as SamplerState;
        const seen = `${s.frames} frames, ${s.latencies.length} samples, ${s.rejected} misread`;
        throw new Error(`${transport}: ${seen} via ${api}: ${String(err)}`);
      },
    );
    const state = (await page.evaluate(`window.${SAMPLER_GLOBAL}`)) as SamplerState;
    // Still the transport asked for (the element could have fallen back from WebRTC).
    if (!(await page.evaluate(PLAYING[transport])))
      throw new Error(`${transport}: the element changed transport`);
    return {
      transport,
      latencies: state.latencies,
      rejected: state.rejected,
      frames: state.frames,
      api,
      firstFrameMs,
    };
  } finally {
    // Removing the element ends its WHEP session or socket, as closing the view does.
    await page.evaluate(`document.querySelector("homecam-live")?.remove()`).catch(() => {});
    await page.close();
  }
}

/** Poll an expression from Node (waitForFunction would need eval in the page, which CSP forbids). */
async function poll(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
