import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The done-when: Chromium's fake camera publishes to /capture (WHIP) and a REAL agent
// records a motion clip from it that ffprobe accepts. Confined to loopback as DESIGN §8 says: the
// scenario (agent + werift + ffmpeg + Chromium) runs in a child process inside `unshare -n`.

const execFileP = promisify(execFile);
const AGENT_DIR = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
const SCENARIO = fileURLToPath(new URL("./capture-browser-scenario.ts", import.meta.url));

interface ScenarioResult {
  role: string;
  publishingMs: number;
  onlineMs: number;
  clipMs: number;
  clips: number;
  clip: { codec: string; width: number; height: number; durationMs: number; frames: number };
  sent: { mimeType?: string; fmtp?: string; keyFramesEncoded?: number; pliCount?: number };
  errors: string[];
  urlAfter: string;
}

describe("/capture in Chromium (fake camera, unshare -n, loopback only)", () => {
  it("publishes the fake camera by WHIP and the agent records a motion clip ffprobe accepts", async () => {
    const { stdout } = await execFileP(
      "unshare",
      ["-n", "sh", "-c", 'ip link set lo up && exec "$0" "$1"', TSX, SCENARIO],
      { cwd: AGENT_DIR, timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ScenarioResult;
    process.stdout.write(`capture-browser: ${JSON.stringify(result)}\n`);
    // The first local pairing of a device is its owner: the only role that may publish.
    expect(result.role).toBe("owner");
    // H.264 was negotiated (so the ring stream-copies it) and the agent's PLIs got key frames.
    expect(result.sent.mimeType).toBe("video/H264");
    expect(result.sent.fmtp).toContain("packetization-mode=1");
    expect(result.sent.pliCount).toBeGreaterThan(0);
    expect(result.sent.keyFramesEncoded).toBeGreaterThan(1);
    expect(result.clip).toMatchObject({ codec: "h264", width: 320, height: 240 });
    expect(result.clip.durationMs).toBeGreaterThan(1_500);
    expect(result.clip.frames).toBeGreaterThan(10);
    // No CSP violation or script error on the page, and the token left the address bar.
    expect(result.errors).toEqual([]);
    expect(result.urlAfter).not.toContain("token");
  }, 70_000);
});
