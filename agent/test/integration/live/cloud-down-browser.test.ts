import { describe, expect, it } from "vitest";
import { runConfined, type WebRtcFrame } from "./page-helpers.js";

// Issue 8's "with the cloud process stopped, a LAN token still opens live view on the agent", in
// Chromium confined to loopback (unshare -n): see cloud-down-scenario.ts for the steps.

interface Result {
  cloudAnswers: boolean;
  firstFrameMs: number;
  frame: WebRtcFrame;
  sessions: number;
  rtpSources: number;
  fmp4Sources: number;
  problems: string[];
}

describe("live view on the agent with the cloud stopped (Chromium, unshare -n)", () => {
  it("a cloud-issued LAN token still plays the synthetic camera over WebRTC", async () => {
    const result = await runConfined<Result>("cloud-down-scenario.ts");
    expect(result.cloudAnswers).toBe(false);
    // WebRTC (srcObject), not the fMP4 fallback, decoded real frames of the scene for over a second.
    expect(result.frame).toMatchObject({ width: 320, height: 240, usesSrcObject: true, status: "" });
    expect(result.frame.framesDecoded).toBeGreaterThan(5);
    expect(result.frame.currentTime).toBeGreaterThan(1.3);
    expect(result.frame.variance).toBeGreaterThan(100);
    expect(result).toMatchObject({ sessions: 1, rtpSources: 1, fmp4Sources: 0, problems: [] });
  }, 100_000);
});
