import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@homecam/shared/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFfmpegArgs } from "../../../src/capture/ffmpeg-args.js";
import type { SourceInput } from "../../../src/capture/source-input.js";
import { freeUdpPort } from "../../../src/capture/udp-ports.js";
import { CaptureTaps } from "../../../src/live/capture-tap.js";
import { ffprobe, tempDir, waitFor } from "./helpers.js";

// The capture's live tap with real ffmpeg: the ring keeps recording exactly as before while the
// same process sends the recorded H.264 as RTP to a loopback port — stream copy for an H.264 input,
// the ring's own encode shared through the tee muxer otherwise — and CaptureTaps reads it.

const execFileP = promisify(execFile);
const log = createLogger({ name: "test", level: "silent" });

async function h264File(dir: string): Promise<string> {
  const path = join(dir, "camera.mp4");
  await execFileP("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=s=320x240:r=10", "-t", "3"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-y", path],
  ]);
  return path;
}

/** Run the capture command for ~`seconds` with the tap listened to; the RTP packets and segments seen. */
async function capture(input: SourceInput, ringDir: string) {
  const port = await freeUdpPort();
  const plan = buildFfmpegArgs(input, [
    { kind: "ring", dir: ringDir, segmentSeconds: 1, startNumber: 0 },
    { kind: "analysis", fps: 5, width: 160 },
    { kind: "tap", port },
  ]);
  const taps = new CaptureTaps(() => port, log);
  const packets: Buffer[] = [];
  const failures: string[] = [];
  const stop = taps.listen(
    "cam",
    (p) => packets.push(p),
    (r) => failures.push(r),
  );
  const child = spawn(plan.file, plan.args, {
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  let segmentList = "";
  child.stdio[3]?.on("data", (c: Buffer) => {
    segmentList += c.toString();
  });
  let analysisBytes = 0;
  child.stdout?.on("data", (c: Buffer) => {
    analysisBytes += c.length;
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const [code] = (await once(child, "close")) as [number];
  stop?.();
  return { code, stderr, packets, failures, segmentList, analysisBytes, args: plan.args };
}

describe("the capture's live tap (RTP on loopback)", () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir("tap");
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it("stream-copies an H.264 source to the tap next to the ring and the analysis", async () => {
    const ring = join(dir.path, "copy");
    const file = await h264File(dir.path);
    const input: SourceInput = {
      args: ["-re", "-i", file],
      recordInput: 0,
      analysisInput: 0,
      recordIsH264: true,
      fps: 10,
    };
    await execFileP("mkdir", ["-p", ring]);
    const run = await capture(input, ring);
    expect(run.code, run.stderr).toBe(0);
    expect(run.args).not.toContain("tee");
    expect(run.packets.length).toBeGreaterThan(20);
    // H.264 in RTP (RFC 6184): NAL unit types 1–23, 24 (STAP-A) or 28 (FU-A) after a 12-byte header.
    const nalTypes = new Set(run.packets.map((p) => (p[12] ?? 0) & 0x1f));
    expect([...nalTypes].every((t) => (t >= 1 && t <= 24) || t === 28)).toBe(true);
    expect(run.failures).toEqual([]);
    expect(run.segmentList.trim().split("\n").length).toBeGreaterThanOrEqual(2);
    expect(run.analysisBytes).toBeGreaterThan(0);
  });

  it("shares the ring's encode with the tap through the tee muxer, the ring still listed and playable", async () => {
    const ring = join(dir.path, "tee");
    await execFileP("mkdir", ["-p", ring]);
    const input: SourceInput = {
      args: ["-re", "-t", "3.5", "-f", "lavfi", "-i", "testsrc=s=320x240:r=10"],
      recordInput: 0,
      analysisInput: 0,
      recordIsH264: false,
      fps: 10,
    };
    const run = await capture(input, ring);
    expect(run.code, run.stderr).toBe(0);
    expect(run.args).toContain("tee");
    expect(run.args).toContain("baseline");
    expect(run.packets.length).toBeGreaterThan(20);
    const listed = run.segmentList
      .trim()
      .split("\n")
      .map((line) => line.split(",")[0]);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(await readdir(ring)).toEqual(expect.arrayContaining(listed));
    const probe = await ffprobe(join(ring, listed[0] as string));
    expect(probe).toMatchObject({ codec: "h264", width: 320, height: 240 });
  });

  it("records on when nobody listens to the tap, and one port serves several listeners", async () => {
    const ring = join(dir.path, "alone");
    await execFileP("mkdir", ["-p", ring]);
    const port = await freeUdpPort();
    const plan = buildFfmpegArgs(
      {
        args: ["-re", "-f", "lavfi", "-t", "4", "-i", "testsrc=s=160x120:r=10"],
        recordInput: 0,
        analysisInput: 0,
        recordIsH264: false,
        fps: 10,
      },
      [
        { kind: "ring", dir: ring, segmentSeconds: 1, startNumber: 0 },
        { kind: "analysis", fps: 5, width: 80 },
        { kind: "tap", port },
      ],
    );
    const child = spawn(plan.file, plan.args, {
      stdio: ["pipe", "ignore", "ignore", "ignore"],
    });
    const taps = new CaptureTaps(() => port, log);
    // Recording with nobody on the tap: a segment closes before anyone listens.
    const closed = async () => (await readdir(ring)).filter((f) => f.endsWith(".ts")).length >= 2;
    for (const deadline = Date.now() + 10_000; !(await closed()); ) {
      if (Date.now() > deadline) throw new Error("no segment recorded while nobody listened");
      await new Promise((r) => setTimeout(r, 50));
    }
    const a: Buffer[] = [];
    const b: Buffer[] = [];
    const stopA = taps.listen(
      "cam",
      (p) => a.push(p),
      () => {},
    );
    const stopB = taps.listen(
      "cam",
      (p) => b.push(p),
      () => {},
    );
    await waitFor("packets at both listeners", () => a.length > 5 && b.length > 5, 5_000);
    stopA?.();
    stopB?.();
    const [code] = (await once(child, "close")) as [number];
    expect(code).toBe(0);
    expect((await readdir(ring)).filter((f) => f.endsWith(".ts")).length).toBeGreaterThanOrEqual(3);
    expect(
      new CaptureTaps(() => undefined, log).listen(
        "cam",
        () => {},
        () => {},
      ),
    ).toBeNull();
  });
});
