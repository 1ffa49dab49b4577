import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The live page in Chromium over WebRTC, confined to loopback as DESIGN §8 says: the scenario (agent
// LAN server + werift + ffmpeg + Chromium) runs in a child process inside `unshare -n`, where only
// `lo` exists, so no packet can leave the machine and no other interface can be picked by ICE.

const execFileP = promisify(execFile);
const AGENT_DIR = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
const SCENARIO = fileURLToPath(new URL("./whep-browser-scenario.ts", import.meta.url));

interface ScenarioResult {
  firstFrameMs: number;
  frames: Array<{
    width: number;
    height: number;
    variance: number;
    framesDecoded: number;
    usesSrcObject: boolean;
    status: string;
  }>;
  sessionsWhilePlaying: number;
  sourcesWhilePlaying: number;
  startedWhilePlaying: number;
  sourcesAfter: number;
}

describe("<homecam-live> over WHEP in Chromium (unshare -n, loopback only)", () => {
  it("plays the synthetic camera over WebRTC in two pages from one ffmpeg, which stops after both leave", async () => {
    const { stdout } = await execFileP(
      "unshare",
      ["-n", "sh", "-c", 'ip link set lo up && exec "$0" "$1"', TSX, SCENARIO],
      { cwd: AGENT_DIR, timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ScenarioResult;
    expect(result.frames).toHaveLength(2);
    for (const frame of result.frames) {
      // The WebRTC track (srcObject), not the fMP4 fallback, decoded real frames of the scene: a blank
      // or uniform picture has a luma variance near 0; the sky, house and counter give hundreds.
      expect(frame).toMatchObject({ width: 320, height: 240, usesSrcObject: true, status: "" });
      expect(frame.framesDecoded).toBeGreaterThan(0);
      expect(frame.variance).toBeGreaterThan(100);
    }
    expect(result).toMatchObject({
      sessionsWhilePlaying: 2,
      sourcesWhilePlaying: 1,
      startedWhilePlaying: 1,
      sourcesAfter: 0,
    });
  }, 70_000);
});
