import { describe, expect, it } from "vitest";
import { runConfined } from "./page-helpers.js";

// The live page's fMP4 fallback in Debian's Chromium (headless, flags of DESIGN §8), confined to
// loopback with `unshare -n` like the WHEP browser test: the <homecam-live> element authenticates on
// the WebSocket, feeds MediaSource, and the synthetic camera really plays (live-page-scenario.ts).

interface Result {
  hashAfterLoad: string;
  firstFrameMs: number;
  frame: {
    width: number;
    height: number;
    /** Variance of the luma of the frame on screen, drawn to a canvas. */
    variance: number;
    /** Seconds between the playback position and the end of what is buffered. */
    lagS: number;
    currentTime: number;
    usesSrcObject: boolean;
    status: string;
  };
  problems: string[];
  forged: { status: string; videoSrc: string };
  /** ffmpeg sources the fixture started: the good viewer's only. */
  started: number;
}

describe("GET /live?camera=<id> on the fMP4 fallback in Chromium (unshare -n, loopback only)", () => {
  it("plays the synthetic camera near the live edge under the CSP, and a forged token gets no video", async () => {
    const result = await runConfined<Result>("live-page-scenario.ts");
    // The token left the address bar for sessionStorage (it must not linger in history).
    expect(result.hashAfterLoad).toBe("");
    expect(result.frame).toMatchObject({ width: 320, height: 240, usesSrcObject: false, status: "" });
    expect(result.frame.currentTime).toBeGreaterThan(1.3);
    // The scene has a sky band, a house and a burned-in counter: a blank or uniform frame has ~0.
    expect(result.frame.variance).toBeGreaterThan(100);
    expect(result.frame.lagS).toBeLessThan(1.5);
    expect(result.problems).toEqual([]);
    expect(result.forged.status).toMatch(/token/i);
    expect(result.forged.videoSrc).toBe("");
    expect(result.started).toBe(1);
  }, 100_000);
});
