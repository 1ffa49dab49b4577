import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CaptureSession, type CaptureStatus, type Segment } from "../../../src/capture/index.js";
import { COUNTER_BITS, counterCell } from "../../../src/capture/test-scene.js";
import { camera, capturingLogger, cpuSeconds, ffprobe, pidAlive, tempDir, waitFor } from "./helpers.js";

const FAKE_BIN = join(import.meta.dirname, "../../fixtures/capture/fake-bin");
const COUNTER_WRAP = 2 ** COUNTER_BITS;

/** Read the test scene's binary frame counter from a gray analysis frame (bit k = square k, top-left). */
function readCounter(data: Uint8Array, width: number): number {
  const cell = counterCell(640) * (width / 640);
  let n = 0;
  for (let k = 0; k < COUNTER_BITS; k++) {
    if ((data[Math.floor(cell / 2) * width + Math.floor(k * cell + cell / 2)] ?? 0) > 128) n |= 1 << k;
  }
  return n;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function testCamera(opts: { frameTimeoutMs?: number } = {}) {
  const dir = await tempDir("capture");
  const { log, lines } = capturingLogger();
  const session = new CaptureSession({
    camera: camera({
      source: { type: "test", width: 640, height: 360, fps: 10 },
      motion: { analysisFps: 5, analysisWidth: 320 },
      recording: { segmentSeconds: 2 },
    }),
    ringDir: dir.path,
    log,
    ...opts,
  });
  const frames: Array<{ seq: number; ts: number; width: number; height: number; bytes: number; n: number }> =
    [];
  const segments: Array<Segment & { receivedMs: number }> = [];
  const statuses: CaptureStatus[] = [];
  session.on("frame", (f) =>
    frames.push({
      ...{ seq: f.seq, ts: f.timestampMs, width: f.width, height: f.height, bytes: f.data.length },
      n: readCounter(f.data, f.width),
    }),
  );
  session.on("segment", (s) => segments.push({ ...s, receivedMs: Date.now() }));
  session.on("status", (s) => statuses.push(s));
  cleanups.push(async () => {
    await session.stop();
    await dir.remove();
  });
  return { session, frames, segments, statuses, lines };
}

describe("CaptureSession with the test source", () => {
  it("records 2 s H.264 segments on wall-clock time and delivers analysis frames at analysisFps", async () => {
    const { session, frames, segments, statuses, lines } = await testCamera();
    await session.start();
    await waitFor("online", () => statuses.some((s) => s.state === "online"), 10_000);
    const pid = session.pid!;
    const cpuStart = await cpuSeconds(pid);
    const t0 = Date.now();
    const frames0 = frames.length;
    await waitFor("4 segments", () => segments.length >= 4, 15_000);
    const cpu = (await cpuSeconds(pid)) - cpuStart;
    const elapsed = (Date.now() - t0) / 1000;
    const fps = (frames.length - frames0) / elapsed;

    // Analysis frames: 320 wide, height from the 16:9 source kept even, ≈ 5 per second.
    expect(frames[0]).toMatchObject({ width: 320, height: 180, bytes: 320 * 180 });
    expect(fps).toBeGreaterThan(4.5);
    expect(fps).toBeLessThan(5.5);
    // The burned-in frame counter proves the frames are split exactly: at 5 of 10 fps, every 2nd frame.
    const steps = new Set(frames.slice(1).map((f, i) => (f.n - frames[i]!.n + COUNTER_WRAP) % COUNTER_WRAP));
    expect([...steps]).toEqual([2]);

    // Segments: ~2 s, contiguous, mapped to wall-clock time within ±0.5 s of reality. Ground truth:
    // the moment the segment closed is when its line arrived and when ffmpeg last wrote the file.
    const timing: number[] = [];
    for (const [i, s] of segments.entries()) {
      expect(s.endMs - s.startMs).toBeGreaterThan(1_800);
      expect(s.endMs - s.startMs).toBeLessThan(2_200);
      if (i > 0) expect(s.startMs).toBe(segments[i - 1]!.endMs);
      const mtime = (await stat(s.path)).mtimeMs;
      timing.push(s.endMs - mtime, s.endMs - s.receivedMs);
      expect(Math.abs(s.endMs - mtime)).toBeLessThan(500);
      expect(Math.abs(s.endMs - s.receivedMs)).toBeLessThan(500);
      const probe = await ffprobe(s.path);
      expect(probe).toMatchObject({ format: "mpegts", codec: "h264", width: 640, height: 360 });
      expect(Math.abs(probe.duration * 1000 - (s.endMs - s.startMs))).toBeLessThan(200);
    }
    expect(session.plan?.recording).toBe("libx264");
    expect(session.ring.latest()).toEqual(
      segments.at(-1) && expect.objectContaining({ path: segments.at(-1)!.path }),
    );
    console.log(
      `[capture] test source: ${fps.toFixed(2)} analysis frames/s, ffmpeg ${cpu.toFixed(2)} CPU-s over ` +
        `${elapsed.toFixed(1)} s, segment end error max ${Math.max(...timing.map(Math.abs))} ms`,
    );

    // The command line was logged once, at debug.
    expect(lines.filter((l) => l.includes('"starting ffmpeg"'))).toHaveLength(1);

    // Graceful stop: `q` closes the last segment; nothing is left running.
    const before = segments.length;
    const stopStart = Date.now();
    await session.stop();
    expect(Date.now() - stopStart).toBeLessThan(2_000);
    expect(pidAlive(pid)).toBe(false);
    expect(segments.length).toBe(before + 1);
    expect(session.ring.segments()).toHaveLength(segments.length);
  });

  it("restarts a stalled ffmpeg: reconnecting with a reason, then online again", async () => {
    const { session, statuses, segments } = await testCamera({ frameTimeoutMs: 2_000 });
    await session.start();
    await waitFor("online", () => statuses.some((s) => s.state === "online"), 10_000);
    const pid = session.pid!;
    process.kill(pid, "SIGSTOP");
    const down = await waitFor("reconnecting", () => statuses.find((s) => s.state === "reconnecting"), 6_000);
    expect(down.reason).toMatch(/no analysis frame for [23] s/);
    expect(down.restarts).toBe(1);
    // Resumed, the stalled ffmpeg reads its `q` and exits; the session starts a new one.
    process.kill(pid, "SIGCONT");
    await waitFor("online again", () => statuses.at(-1)?.state === "online" && session.pid !== pid, 10_000);
    await waitFor("old ffmpeg gone", () => !pidAlive(pid), 6_000);
    const newPid = session.pid!;
    const seen = segments.length;
    await waitFor("a segment from the new ffmpeg", () => segments.length > seen, 6_000);
    // Numbers keep increasing across ffmpeg runs: nothing was overwritten.
    const names = segments.map((s) => s.path);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    await session.stop();
    expect(pidAlive(newPid)).toBe(false);
  });

  it("records a Pi camera by stream copy from rpicam-vid's pipe, and stops both processes", async () => {
    const dir = await tempDir("picam");
    const { log } = capturingLogger();
    const session = new CaptureSession({
      camera: camera({
        source: { type: "picam", width: 320, height: 240, fps: 10 },
        recording: { segmentSeconds: 2 },
      }),
      ringDir: dir.path,
      log,
      env: { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH}` },
    });
    const segments: Segment[] = [];
    let size = "";
    session.on("segment", (s) => segments.push(s));
    session.on("frame", (f) => {
      size = `${f.width}x${f.height}`;
    });
    cleanups.push(async () => {
      await session.stop();
      await dir.remove();
    });
    await session.start();
    await waitFor("a segment", () => segments.length >= 1, 10_000);
    expect(session.plan?.recording).toBe("copy");
    expect(session.plan?.producer?.file).toBe("rpicam-vid");
    expect(size).toBe("320x240");
    expect(await ffprobe(segments[0]!.path)).toMatchObject({ format: "mpegts", codec: "h264", width: 320 });
    const pids = [session.pid!, session.producerPid!];
    await session.stop();
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });

  it("reports a browser source as an error with its reason, without retrying", async () => {
    const dir = await tempDir("browser");
    const session = new CaptureSession({
      camera: camera({ source: { type: "browser" } }),
      ringDir: dir.path,
      log: capturingLogger().log,
    });
    cleanups.push(async () => {
      await session.stop();
      await dir.remove();
    });
    const statuses: CaptureStatus[] = [];
    session.on("status", (s) => statuses.push(s));
    await session.start();
    await waitFor("error", () => statuses.length > 0, 2_000);
    expect(statuses).toEqual([
      expect.objectContaining({
        state: "error",
        reason: expect.stringMatching(/live-view module/),
        restarts: 0,
      }),
    ]);
    expect(session.pid).toBeUndefined();
  });

  it("reports a missing ffmpeg binary as a reason, not a crash", async () => {
    const dir = await tempDir("noffmpeg");
    const session = new CaptureSession({
      camera: camera({ source: { type: "test" } }),
      ringDir: dir.path,
      log: capturingLogger().log,
      ffmpegPath: "/nonexistent/ffmpeg",
    });
    cleanups.push(async () => {
      await session.stop();
      await dir.remove();
    });
    const statuses: CaptureStatus[] = [];
    session.on("status", (s) => statuses.push(s));
    await session.start();
    const down = await waitFor("reconnecting", () => statuses.find((s) => s.state === "reconnecting"), 5_000);
    expect(down.reason).toMatch(/ffmpeg could not be started: .*ENOENT/);
  });
});
