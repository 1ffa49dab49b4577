import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CameraPipeline, type FinishedEvent } from "../../../src/camera/camera-pipeline.js";
import { clipsDir, dayOf } from "../../../src/camera/clip-paths.js";
import { probe } from "../../../src/recording/ffprobe.js";
import {
  cameraConfig,
  capturingLogger,
  decodeAll,
  expectedEvents,
  type Interval,
  isJpeg,
  openRepos,
  pidAlive,
  readCounter,
  sceneTruth,
  tempDir,
  waitFor,
} from "./helpers.js";

const PRE_S = 2;
const POST_S = 2;
const GAP_S = 2;
const FRAME_MS = 100; // the test source runs at 10 fps
const WARMUP_FRAMES = 25; // DEFAULT_WARMUP_FRAMES of the detector: nothing fires before
/** Event start/end against the scene's ground truth: 3 analysis frames plus the pipe's jitter. */
const TIMING_TOLERANCE_MS = 600;
/** Clip length against the wanted window: the cut is at a key frame (1 s GOP) at or before its start. */
const DURATION_TOLERANCE_MS = 1000;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("CameraPipeline with the test source", () => {
  it("turns the moving-objects scene into event rows with H.264 clips and thumbnails, on time", async () => {
    const dir = await tempDir("pipeline");
    const { store, repos } = await openRepos(dir.path);
    cleanups.push(async () => {
      await store.close();
      await dir.remove();
    });
    const { log } = capturingLogger();
    const cameras = [
      cameraConfig("yard", {
        source: { type: "test", width: 640, height: 360, fps: 10 },
        motion: { analysisFps: 10, analysisWidth: 320, eventGapSeconds: GAP_S },
        recording: { preRollSeconds: PRE_S, postRollSeconds: POST_S },
      }),
      cameraConfig("norec", {
        source: { type: "test", width: 320, height: 180, fps: 10 },
        motion: { analysisFps: 10, analysisWidth: 160, eventGapSeconds: GAP_S },
        recording: { enabled: false },
      }),
      cameraConfig("nomotion", {
        source: { type: "test", width: 320, height: 180, fps: 10 },
        motion: { enabled: false, analysisFps: 10, analysisWidth: 160 },
      }),
      // Its clip directory cannot be created (a file is in the way): clips fail, events must not.
      cameraConfig("broken", {
        source: { type: "test", width: 320, height: 180, fps: 10 },
        motion: { analysisFps: 10, analysisWidth: 160, eventGapSeconds: GAP_S },
        recording: { preRollSeconds: PRE_S, postRollSeconds: POST_S },
      }),
    ];
    await mkdir(join(clipsDir(dir.path), "broken"), { recursive: true });
    await writeFile(join(clipsDir(dir.path), "broken", dayOf(Date.now())), "not a directory");
    await repos.cameras.syncFromConfig(cameras);
    const ended = new Map<string, FinishedEvent[]>();
    const pipelines = cameras.map((camera) => {
      const p = new CameraPipeline({ camera, stateDir: dir.path, events: repos.events, log });
      ended.set(camera.id, []);
      p.on("eventEnded", (e) => ended.get(camera.id)!.push(e));
      return p;
    });
    const [yard, norec, nomotion] = pipelines as [CameraPipeline, CameraPipeline, CameraPipeline];
    cleanups.push(async () => {
      await Promise.all(pipelines.map((p) => p.stop()));
    });

    // Stream time → wall clock: the frame counter says which source frame an analysis frame is.
    const offsets: number[] = [];
    let warmupEndMs = 0;
    yard.capture.on("frame", (f) => {
      offsets.push(f.timestampMs - readCounter(f.data, f.width) * FRAME_MS);
      if (f.seq === WARMUP_FRAMES) warmupEndMs = f.timestampMs;
    });

    for (const p of pipelines) await p.start();
    // The person (t 0–8, partly inside the warm-up) and the car (t 10–14), each with its post-roll.
    await waitFor(
      "two ended events with clips on the yard camera",
      () => ended.get("yard")!.length >= 2,
      45_000,
    );
    await waitFor("an ended event on the clip-less camera", () => ended.get("norec")!.length >= 1, 10_000);
    await waitFor("an ended event on the broken camera", () => ended.get("broken")!.length >= 1, 10_000);

    // Status while running.
    const state = yard.state();
    expect(state).toMatchObject({ id: "yard", status: "online", enabled: true });
    expect(state.analysisFps).toBeGreaterThan(8);
    expect(state.analysisFps).toBeLessThan(12);
    expect(state.lastEventAt).toBeGreaterThanOrEqual(ended.get("yard")!.at(-1)!.event.startedAt);
    expect(nomotion.state().analysisFps).toBeGreaterThan(8);

    const offset = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)]!;
    const expected = expectedEvents(sceneTruth(60), GAP_S * 1000).map(
      (e): Interval => ({ startMs: offset + e.startMs, endMs: offset + e.endMs }),
    );

    const report: Array<Record<string, string | number>> = [];
    for (const { event, recordings } of ended.get("yard")!) {
      const row = (await repos.events.get(event.id))!;
      expect(row).toMatchObject({ cameraId: "yard", type: "motion", pinned: false });
      expect(row.endedAt).not.toBeNull();
      expect(row.durationMs).toBe(row.endedAt! - row.startedAt);
      expect(row.score).toBeGreaterThan(0);
      expect(row.score).toBeLessThanOrEqual(1);
      expect(row.metadata.boxes?.length).toBeGreaterThan(0);
      for (const b of row.metadata.boxes ?? []) {
        expect(b).toHaveLength(4);
        for (const v of b) expect(v).toBeGreaterThanOrEqual(0);
      }
      expect(row.metadata.endReason).toBe("gap");
      expect(row.thumbnailPath).toMatch(new RegExp(`/clips/yard/\\d{4}-\\d{2}-\\d{2}/${event.id}\\.jpg$`));
      expect(await isJpeg(row.thumbnailPath!)).toBe(true);
      const thumb = await probe(row.thumbnailPath!);
      expect(thumb).toMatchObject({ codec: "mjpeg", width: 320, height: 180 });

      // Ground truth: the scene's object spans, merged by the event gap, in wall-clock time; the
      // detector cannot fire during its warm-up.
      const truth = expected.find((e) => e.startMs < row.endedAt! + 1000 && e.endMs > row.startedAt - 1000);
      expect(truth, `event ${row.startedAt}–${row.endedAt} matches no object`).toBeDefined();
      const truthStart = Math.max(truth!.startMs, warmupEndMs);
      const startErr = row.startedAt - truthStart;
      const endErr = row.endedAt! - truth!.endMs;
      expect(Math.abs(startErr)).toBeLessThan(TIMING_TOLERANCE_MS);
      expect(Math.abs(endErr)).toBeLessThan(TIMING_TOLERANCE_MS);

      // The clip: H.264, decodes fully, as long as the event plus both rolls.
      expect(recordings.length).toBeGreaterThanOrEqual(1);
      expect(await repos.recordings.byEvent(event.id)).toEqual(recordings);
      const wantedMs = Math.min(row.durationMs! + (PRE_S + POST_S) * 1000, 60_000);
      let totalMs = 0;
      for (const [i, rec] of recordings.entries()) {
        expect(rec.index).toBe(i);
        expect(rec.filePath).toMatch(new RegExp(`/clips/yard/\\d{4}-\\d{2}-\\d{2}/${event.id}-${i}\\.mp4$`));
        expect((await stat(rec.filePath)).size).toBe(rec.sizeBytes);
        const info = await probe(rec.filePath);
        expect(info).toMatchObject({ codec: "h264", width: 640, height: 360 });
        expect(await decodeAll(rec.filePath)).toEqual({ ok: true, stderr: "" });
        totalMs += info.durationMs;
      }
      expect(Math.abs(totalMs - wantedMs)).toBeLessThanOrEqual(DURATION_TOLERANCE_MS);
      expect(recordings[0]!.startedAt).toBe(row.startedAt - PRE_S * 1000);
      report.push({
        event: event.id.slice(0, 6),
        durationMs: row.durationMs!,
        "start − truth ms": startErr,
        "end − truth ms": endErr,
        "clip ms": totalMs,
        "clip − window ms": totalMs - wantedMs,
      });
    }
    console.table(report);

    // recording.enabled=false: events, no clips, no thumbnails.
    for (const { event, recordings } of ended.get("norec")!) {
      expect(recordings).toEqual([]);
      const row = (await repos.events.get(event.id))!;
      expect(row.endedAt).not.toBeNull();
      expect(row.thumbnailPath).toBeNull();
      expect(row.metadata.clipError).toBeUndefined();
    }
    // A clip that cannot be written: logged, a warning, and the event is still ended.
    const broken = ended.get("broken")![0]!;
    expect(broken.recordings).toEqual([]);
    const brokenRow = (await repos.events.get(broken.event.id))!;
    expect(brokenRow.endedAt).not.toBeNull();
    expect(brokenRow.score).toBeGreaterThan(0);
    expect(brokenRow.thumbnailPath).toBeNull();
    expect(brokenRow.metadata.clipError).toMatch(/clip part 0/);
    const warnings = await repos.warnings.list({ kind: "clip-write-failed", cameraId: "broken" });
    expect(warnings.filter((w) => w.eventId === broken.event.id)).toEqual([
      expect.objectContaining({
        message: "the event's clip is missing",
        data: { errors: [expect.stringMatching(/EEXIST/)] },
      }),
    ]);
    // motion.enabled=false: never an event.
    expect(ended.get("nomotion")).toEqual([]);
    expect(await repos.events.list({ cameraId: "nomotion" })).toEqual([]);

    // Stop: no ffmpeg left, nothing left open.
    const pids = pipelines.map((p) => p.capture.pid!);
    await Promise.all(pipelines.map((p) => p.stop()));
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
    expect(await repos.events.list({ open: true })).toEqual([]);
    expect(norec.state().eventActive).toBe(false);
  });
});
