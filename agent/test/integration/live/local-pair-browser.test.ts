import { describe, expect, it } from "vitest";
import { runConfined, type WebRtcFrame } from "./page-helpers.js";

// The claim URL `homecam pair --local` prints (`/pair?local=1`) in Chromium confined to loopback
// (unshare -n), with no cloud at all: see local-pair-scenario.ts for the steps.

interface Result {
  claimUrl: string;
  agentUrl: string;
  wrongPinStatus: string;
  tokenAfterWrongPin: string | null;
  wrongPinProblems: string[];
  firstFrameMs: number;
  frame: WebRtcFrame;
  principal: { userId: string; role: string } | null;
  viewers: Array<{ name: string; role: string }>;
  problems: string[];
}

describe("the LAN pair page's PIN form (Chromium, unshare -n, no cloud)", () => {
  it("a wrong PIN is refused; the right one stores a LAN token and lands on a live page that plays", async () => {
    const result = await runConfined<Result>("local-pair-scenario.ts");
    expect(result.claimUrl).toBe(`${result.agentUrl}/pair?local=1`);
    expect(result.wrongPinStatus).toMatch(/^Wrong PIN/);
    expect(result.tokenAfterWrongPin).toBeNull();
    expect(result.wrongPinProblems).toEqual([expect.stringMatching(/401/)]);
    // The token the form stored in sessionStorage is the device-signed one the agent accepts, for the
    // viewer named in the form (the first local viewer owns the device).
    expect(result.principal).toEqual({ userId: expect.stringMatching(/^lv_/), role: "owner" });
    expect(result.viewers).toEqual([{ name: "Kitchen tablet", role: "owner" }]);
    expect(result.frame).toMatchObject({ width: 320, height: 240, usesSrcObject: true, status: "" });
    expect(result.frame.framesDecoded).toBeGreaterThan(5);
    expect(result.frame.currentTime).toBeGreaterThan(1.3);
    expect(result.frame.variance).toBeGreaterThan(100);
    // No CSP violation, no script error, nothing refused after pairing.
    expect(result.problems).toEqual([]);
  }, 100_000);
});
