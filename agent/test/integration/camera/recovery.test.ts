import { mkdir, readdir, rename, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clipsDir, ringDir } from "../../../src/camera/clip-paths.js";
import { type RecoveryReport, recoverAfterCrash } from "../../../src/camera/recovery.js";
import { probe } from "../../../src/recording/ffprobe.js";
import type { AgentStore } from "../../../src/store/agent-store.js";
import type { StoredEvent } from "../../../src/store/events-repo.js";
import type { AgentRepos } from "../../../src/store/repos.js";
import { frameNumbers, makeRing } from "../recording/ring-fixture.js";
import { cameraConfig, capturingLogger, decodeAll, openRepos, tempDir } from "./helpers.js";

// A crash left: a ring of 2 s segments (frame N of the ring shows N in its corner patch; 10 fps,
// key frame every second) whose times only their mtimes tell, events still open, a clip row whose
// file is gone, and half-written temporary files.

const T0 = Date.now() - 120_000; // wall clock of ring frame 0
const at = (s: number) => T0 + s * 1000;
const camera = cameraConfig("front", {
  source: { type: "test" },
  recording: { preRollSeconds: 2, postRollSeconds: 2, maxSeconds: 60 },
});

let dir: { path: string; remove(): Promise<void> };
let store: AgentStore;
let repos: AgentRepos;
let report: RecoveryReport;
let motion: StoredEvent;
let manual: StoredEvent;
let orphan: StoredEvent;
const tempFiles: string[] = [];
let keptFile: string;
let missingClip: string;

beforeAll(async () => {
  dir = await tempDir("recovery");
  ({ store, repos } = await openRepos(dir.path));
  await repos.cameras.syncFromConfig([camera, cameraConfig("gone", { source: { type: "test" } })]);

  // The ring: 10 segments, renamed as capture names them, mtime = wall-clock end.
  const ring = ringDir(dir.path, "front");
  await mkdir(ring, { recursive: true });
  const made = await makeRing(ring, 20, T0);
  for (const [i, s] of made.segments.entries()) {
    const name = join(ring, `seg-${String(i).padStart(9, "0")}.ts`);
    await rename(s.path, name);
    await utimes(name, s.endMs / 1000, s.endMs / 1000);
  }

  // Open events: motion since 8 s (peak at 9 s), a manual recording of 12–15 s, one on a camera
  // without a ring.
  motion = await repos.events.insert({
    cameraId: "front",
    type: "motion",
    startedAt: at(8),
    score: 0.4,
    metadata: { peakMs: at(9), boxes: [[0.1, 0.1, 0.2, 0.2]] },
  });
  manual = await repos.events.insert({
    cameraId: "front",
    type: "manual",
    startedAt: at(12),
    metadata: { plannedEndMs: at(15) },
  });
  orphan = await repos.events.insert({ cameraId: "gone", type: "motion", startedAt: at(3) });

  // A closed event whose clip file was deleted behind the agent's back.
  const old = await repos.events.insert({ cameraId: "front", type: "motion", startedAt: at(-100) });
  missingClip = join(clipsDir(dir.path), "front", "1999-01-01", "x-0.mp4");
  await repos.events.finish(old, { endedAt: at(-99), score: 1, metadata: {} }, [
    {
      index: 0,
      filePath: missingClip,
      startedAt: at(-105),
      endedAt: at(-97),
      durationMs: 8000,
      sizeBytes: 5,
      format: "mp4",
    },
  ]);

  const day = join(clipsDir(dir.path), "front", "2025-06-01");
  await mkdir(day, { recursive: true });
  for (const name of [".a-0.mp4.0badcafe.tmp", ".a-0.mp4.0badcafe.tmp.ffconcat", ".a.jpg.12345678.tmp"]) {
    tempFiles.push(join(day, name));
    await writeFile(join(day, name), "partial");
  }
  keptFile = join(day, "a-0.mp4");
  await writeFile(keptFile, "a finished clip");

  report = await recoverAfterCrash({
    stateDir: dir.path,
    cameras: [camera],
    events: repos.events,
    recordings: repos.recordings,
    log: capturingLogger().log,
  });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dir?.remove();
});

describe("recoverAfterCrash", () => {
  it("removes temporary files only", async () => {
    expect(report.tempFilesRemoved).toBe(3);
    for (const f of tempFiles) await expect(stat(f)).rejects.toThrow();
    expect((await stat(keptFile)).isFile()).toBe(true);
  });

  it("removes recording rows whose file is missing, with a warning", async () => {
    expect(report.missingFiles).toEqual([missingClip]);
    expect((await repos.recordings.list()).map((r) => r.filePath)).not.toContain(missingClip);
    expect(await repos.warnings.list({ kind: "recording-file-missing" })).toEqual([
      expect.objectContaining({
        cameraId: "front",
        data: expect.objectContaining({ filePath: missingClip }),
      }),
    ]);
  });

  it("closes a motion event at the ring's last video and cuts its clip from the old ring", async () => {
    const ev = (await repos.events.get(motion.id))!;
    // The ring ends at 20 s: the agent was recording until then.
    expect(ev).toMatchObject({ endedAt: at(20), durationMs: 12_000, score: 0.4 });
    expect(ev.metadata).toMatchObject({ interrupted: true, endReason: "interrupted", peakMs: at(9) });
    const [rec, ...more] = await repos.recordings.byEvent(ev.id);
    expect(more).toEqual([]);
    // Window [8 − 2, 20 + 2] s, the ring ends at 20 s: frames 60…199 (a key frame every second).
    const frames = await frameNumbers(rec!.filePath);
    expect(frames[0]).toBe(60);
    expect(frames.at(-1)).toBeGreaterThanOrEqual(198);
    expect((await decodeAll(rec!.filePath)).ok).toBe(true);
    expect(await probe(rec!.filePath)).toMatchObject({ codec: "h264" });
    // The thumbnail is the peak frame (9 s = frame 90), from the mtime-derived segment times.
    const [shown] = await frameNumbers(ev.thumbnailPath!, 40);
    expect(Math.abs(shown! - 90)).toBeLessThanOrEqual(1);
  });

  it("closes a manual recording at its planned end, with its pre-roll", async () => {
    const ev = (await repos.events.get(manual.id))!;
    expect(ev).toMatchObject({ endedAt: at(15), durationMs: 3_000 });
    expect(ev.metadata).toMatchObject({ interrupted: true, plannedEndMs: at(15) });
    const [rec] = await repos.recordings.byEvent(ev.id);
    const frames = await frameNumbers(rec!.filePath);
    expect(frames[0]).toBe(100);
    expect(frames.at(-1)).toBe(149);
  });

  it("closes an event with no ring left at its start, without a clip", async () => {
    const ev = (await repos.events.get(orphan.id))!;
    expect(ev).toMatchObject({ endedAt: at(3), durationMs: 0 });
    expect(ev.metadata).toMatchObject({ interrupted: true, clipError: expect.stringMatching(/no video/) });
    expect(await repos.recordings.byEvent(ev.id)).toEqual([]);
    expect(await repos.events.listOpen()).toEqual([]);
    expect(new Map(report.interrupted.map((i) => [i.eventId, i.clips]))).toEqual(
      new Map([
        [motion.id, 1],
        [manual.id, 1],
        [orphan.id, 0],
      ]),
    );
  });

  it("leaves the ring's files for capture to clean", async () => {
    expect((await readdir(ringDir(dir.path, "front"))).length).toBe(10);
  });
});
