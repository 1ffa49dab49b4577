// Smoke test of bench/live: its pure parts, and one tiny run (`--quick`: 20 latency samples per
// transport, 3 viewers, 3 s CPU windows) of the whole bench with real parts: the agent CLI in its own
// process with a clock-burning test camera, Debian's Chromium, werift viewers in another process,
// @roamhq/wrtc re-encoding in a third, all inside `unshare -n`. No timing assertions: the run must
// finish and print every figure and every target line. Real numbers: `npx tsx bench/live/run.ts`.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseOptions } from "../live/options.js";
import { cpuBetween } from "../live/proc-tree.js";

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUN = fileURLToPath(new URL("../live/run.ts", import.meta.url));
const NUM = String.raw`-?\d+(?:\.\d+)?`;

describe("bench/live pure parts", () => {
  it("defaults to the issue's load; --quick shrinks it; later options win", () => {
    expect(parseOptions([])).toMatchObject({
      samples: 150,
      warmupS: 3,
      viewers: 10,
      windowS: 10,
      quick: false,
    });
    expect(parseOptions(["--quick"])).toMatchObject({ samples: 20, viewers: 3, windowS: 3, quick: true });
    expect(parseOptions(["--quick", "--viewers", "5"]).viewers).toBe(5);
    expect(() => parseOptions(["--viewers", "1"])).toThrow(/--viewers/);
    expect(() => parseOptions(["--width", "641"])).toThrow(/even/);
    expect(() => parseOptions(["--frobnicate", "1"])).toThrow(/unknown option/);
  });

  it("splits a window's CPU into the process alone and the process with its children", () => {
    const before = new Map([
      [10, 1.0],
      [11, 5.0],
    ]);
    // Child 12 started inside the window: all of its time counts.
    const after = new Map([
      [10, 1.5],
      [11, 6.0],
      [12, 0.5],
    ]);
    expect(cpuBetween(10, before, after, 10)).toEqual({ rootPercent: 5, treePercent: 20, children: 2 });
  });
});

describe("bench/live on a tiny load", () => {
  it("prints latency, CPU per viewer count and every target line", async () => {
    const { stdout } = await execFileP(process.execPath, ["--import", "tsx", RUN, "--quick"], {
      cwd: ROOT,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/^machine: \d+ × .+/m);
    expect(stdout).toMatch(/^versions: Node v\d+.*ffmpeg .*Chromium \d+/m);
    // Confined with `unshare -n` when root, else it says it is not.
    expect(stdout).toMatch(/^network: (unshare -n|NOT confined)/m);
    // The table: 20 samples per transport and finite percentiles.
    expect(stdout).toMatch(new RegExp(String.raw`^WebRTC \(WHEP\)\s+20\s+${NUM}\s+${NUM}\s`, "m"));
    expect(stdout).toMatch(new RegExp(String.raw`^fallback \(fMP4/WS\)\s+20\s+${NUM}\s+${NUM}\s`, "m"));
    for (const [server, n] of [
      ["agent \\(werift passthrough\\)", 1],
      ["agent \\(werift passthrough\\)", 3],
      ["wrtc \\(VP8 re-encode\\)", 1],
      ["wrtc \\(VP8 re-encode\\)", 3],
    ] as const) {
      expect(stdout).toMatch(new RegExp(String.raw`^${server}\s+${n}\s+${NUM}\s+${NUM}\s+\d+`, "m"));
    }
    // One VP8 encoder per wrtc peer connection: re-encoding really happened for every viewer.
    expect(stdout).toContain("3 VP8 encoders ran");
    const verdict = "(PASS|MISS)$";
    expect(stdout).toMatch(
      new RegExp(String.raw`^WebRTC p50 ${NUM} ms \(target ≤ 250 ms\): ${verdict}`, "m"),
    );
    expect(stdout).toMatch(
      new RegExp(String.raw`^fallback p50 ${NUM} ms \(target ≤ 1500 ms\): ${verdict}`, "m"),
    );
    expect(stdout).toMatch(
      new RegExp(String.raw`^agent CPU 3 viewers / 1, Node \+ ffmpeg: ${NUM}× .*${verdict}`, "m"),
    );
    expect(stdout).toMatch(new RegExp(`^agent CPU 3 viewers / 1, Node alone: ${NUM}× .*${verdict}`, "m"));
    expect(stdout).toMatch(
      new RegExp(
        `^marginal CPU per viewer: werift passthrough ${NUM} % of a core, wrtc re-encode ${NUM} %; ratio ${NUM}× .*${verdict}`,
        "m",
      ),
    );
  }, 180_000);
});
