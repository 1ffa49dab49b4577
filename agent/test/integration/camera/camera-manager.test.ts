import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraError } from "../../../src/camera/camera-error.js";
import { CameraManager } from "../../../src/camera/camera-manager.js";
import { clipsDir } from "../../../src/camera/clip-paths.js";
import { probe } from "../../../src/recording/ffprobe.js";
import { MB, type RetentionSettings } from "../../../src/retention/policy.js";
import { StorageGuard, type SweepResult } from "../../../src/retention/storage-guard.js";
import type { AgentStore } from "../../../src/store/agent-store.js";
import type { AgentRepos } from "../../../src/store/repos.js";
import {
  cameraConfig,
  capturingLogger,
  decodeAll,
  isJpeg,
  openRepos,
  pidAlive,
  tempDir,
  waitFor,
} from "./helpers.js";

const PRE_S = 1;
const thumbnailOf = (clip: string) => clip.replace(/-\d+\.mp4$/, ".jpg");

let dir: { path: string; remove(): Promise<void> };
let store: AgentStore;
let repos: AgentRepos;
let manager: CameraManager;
let guard: StorageGuard;
let retention: RetentionSettings = { storageDays: 30, maxDiskMB: 1_000_000, minFreeMB: 0 };
/** The sweep the last committed clip started (the wiring under test). */
let lastSweep: Promise<SweepResult> | undefined;

beforeAll(async () => {
  dir = await tempDir("manager");
  ({ store, repos } = await openRepos(dir.path));
  const { log } = capturingLogger();
  const config = {
    stateDir: dir.path,
    cameras: [
      cameraConfig("yard", {
        source: { type: "test", width: 640, height: 360, fps: 10, scene: "static" },
        motion: { enabled: false },
        recording: { preRollSeconds: PRE_S, segmentSeconds: 1 },
      }),
      cameraConfig("attic", { enabled: false, source: { type: "test" } }),
      // Cannot be captured yet (needs the live-view module): a permanent `error` status.
      cameraConfig("web", { source: { type: "browser" } }),
    ],
  };
  // Wired as main.ts wires them: the guard reads the store's clip index, and sweeps after each clip.
  guard = new StorageGuard({
    index: repos.clipIndex,
    dir: dir.path,
    clipsDir: clipsDir(dir.path),
    settings: () => retention,
    log,
  });
  manager = new CameraManager({
    config,
    repos,
    log,
    storage: () => guard.status(),
    onClipsWritten: () => {
      lastSweep = guard.sweep();
    },
  });
  await manager.start();
  await waitFor(
    "camera online with a segment",
    () => {
      const p = manager.pipelines.get("yard");
      return p?.capture.status().state === "online" && p.capture.ring.latest() !== undefined;
    },
    15_000,
  );
}, 30_000);

afterAll(async () => {
  const pid = manager?.pipelines.get("yard")?.capture.pid;
  await manager?.stop();
  await guard?.stop();
  if (pid) expect(pidAlive(pid)).toBe(false);
  await store?.close();
  await dir?.remove();
});

describe("CameraManager as CameraControl", () => {
  it("reports each camera's state and the host's", async () => {
    await waitFor("a measured analysis rate", () => (manager.cameras()[0]?.analysisFps ?? 0) > 3, 5_000);
    const [yard, attic, web] = manager.cameras();
    expect(yard).toMatchObject({
      id: "yard",
      name: "yard",
      enabled: true,
      status: "online",
      eventActive: false,
    });
    expect(yard!.analysisFps).toBeGreaterThan(3);
    expect(yard!.analysisFps).toBeLessThan(7);
    expect(attic).toEqual({
      id: "attic",
      name: "attic",
      enabled: false,
      status: "disabled",
      reason: "disabled in the configuration",
      analysisFps: 0,
      eventActive: false,
      lastEventAt: null,
    });
    expect(web).toMatchObject({
      status: "error",
      reason: expect.stringMatching(/live-view/),
      analysisFps: 0,
    });
    const host = await manager.host();
    expect(host.diskTotalMB).toBeGreaterThan(0);
    expect(host.diskFreeMB).toBeGreaterThan(0);
    expect(host.diskFreeMB).toBeLessThanOrEqual(host.diskTotalMB);
    expect(host.storage).toEqual({ state: "ok" });
    expect(host.uptimeS).toBeGreaterThanOrEqual(0);
    expect(host.cpuPercent).toBeGreaterThanOrEqual(0); // Linux: two /proc/stat samples
    expect(host.cpuPercent).toBeLessThanOrEqual(100);
    // The cameras table follows the config, disabled cameras included.
    expect(await repos.cameras.list()).toEqual([
      { id: "attic", name: "attic", sourceType: "test", enabled: false },
      { id: "web", name: "web", sourceType: "browser", enabled: true },
      { id: "yard", name: "yard", sourceType: "test", enabled: true },
    ]);
  });

  it("takes a full-resolution JPEG snapshot, and refuses unknown and disabled cameras with a code", async () => {
    const jpeg = await manager.snapshot("yard");
    expect(await isJpeg(jpeg)).toBe(true);
    const file = join(dir.path, "snap.jpg");
    await writeFile(file, jpeg);
    expect(await probe(file)).toMatchObject({ codec: "mjpeg", width: 640, height: 360 });

    await expect(manager.snapshot("nope")).rejects.toMatchObject({ code: "HC_ERR_CAMERA_NOT_FOUND" });
    await expect(manager.snapshot("attic")).rejects.toMatchObject({ code: "HC_ERR_CAMERA_DISABLED" });
    await expect(manager.snapshot("web")).rejects.toMatchObject({
      code: "HC_ERR_CAMERA_OFFLINE",
      message: expect.stringMatching(/camera web is error: .*live-view/),
    });
    await expect(manager.recordNow("web", 2)).rejects.toMatchObject({ code: "HC_ERR_CAMERA_OFFLINE" });
    await expect(manager.recordNow("nope", 2)).rejects.toBeInstanceOf(CameraError);
  });

  it("records now as a manual event with its clip and thumbnail, committed together", async () => {
    const t0 = Date.now();
    const result = await manager.recordNow("yard", 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_000);
    expect(result.recordings).toHaveLength(1);
    const rec = result.recordings[0]!;
    expect(rec.path).toMatch(new RegExp(`/clips/yard/\\d{4}-\\d{2}-\\d{2}/${result.eventId}-0\\.mp4$`));
    expect((await stat(rec.path)).size).toBe(rec.sizeBytes);
    const info = await probe(rec.path);
    expect(info).toMatchObject({ codec: "h264", width: 640, height: 360 });
    expect(Math.abs(info.durationMs - (2 + PRE_S) * 1000)).toBeLessThanOrEqual(1000);
    expect(rec.durationMs).toBe(info.durationMs);
    expect((await decodeAll(rec.path)).ok).toBe(true);

    const event = (await repos.events.get(result.eventId))!;
    expect(event).toMatchObject({ cameraId: "yard", type: "manual", score: 0 });
    expect(event.endedAt! - event.startedAt).toBe(2_000);
    expect(event.metadata).toMatchObject({ endReason: "manual", plannedEndMs: event.endedAt });
    expect(await isJpeg(event.thumbnailPath!)).toBe(true);
    expect((await repos.recordings.byEvent(event.id)).map((r) => r.id)).toEqual([rec.id]);
    expect(manager.cameras()[0]?.lastEventAt).toBe(event.startedAt);
    expect(manager.cameras()[0]?.eventActive).toBe(false);
  });

  it("rejects an impossible length before recording anything", async () => {
    const before = (await repos.events.list()).length;
    await expect(manager.recordNow("yard", 0)).rejects.toMatchObject({
      code: "HC_ERR_RECORDING_INVALID_ARGUMENT",
    });
    expect(await repos.events.list()).toHaveLength(before);
  });

  it("retention over the store: a small budget deletes uploaded clips first, and warns for the others", async () => {
    // Three clips, oldest first; the middle one is uploaded.
    while ((await repos.recordings.list()).length < 3) await manager.recordNow("yard", 1);
    const [c3, c2, c1] = await repos.recordings.list({ cameraId: "yard" });
    await repos.recordings.markUploaded(c2!.id);
    const clips = await repos.clipIndex.list();
    const size = (id: string) => clips.find((c) => c.id === id)!.sizeBytes;
    // Sizes include the thumbnail (each event's clip 0 carries it).
    const thumb3 = (await repos.events.get(c3!.eventId!))!.thumbnailPath!;
    expect(size(c3!.id)).toBe(c3!.sizeBytes + (await stat(thumb3)).size);

    // A budget only one clip fits in: the uploaded (middle) one must go before the older ones.
    retention = { storageDays: 30, maxDiskMB: (size(c3!.id) + 1) / MB, minFreeMB: 0 };
    lastSweep = undefined;
    const { eventId } = await manager.recordNow("yard", 1); // its clip starts a sweep, as in the agent
    expect(lastSweep).toBeDefined();
    const sweep = await lastSweep!;
    expect(sweep.failed).toEqual([]);
    expect(sweep.status.state).toBe("ok");
    // Uploaded first, then the not-uploaded ones oldest first, until the rest fits.
    expect(sweep.deleted.slice(0, 3).map((d) => [d.id, d.uploaded, d.reason])).toEqual([
      [c2!.id, true, "disk-budget"],
      [c1!.id, false, "disk-budget"],
      [c3!.id, false, "disk-budget"],
    ]);
    const left = await repos.recordings.list();
    expect(left.length).toBe(4 - sweep.deleted.length);
    expect(left.every((r) => r.eventId === eventId)).toBe(true);

    // A warning row for every not-uploaded deletion, none for the uploaded one.
    const warnings = await repos.warnings.list({ kind: "clip-deleted-not-uploaded" });
    expect(warnings.map((w) => w.recordingId).sort()).toEqual(sweep.notUploaded.map((d) => d.id).sort());
    expect(warnings.map((w) => w.recordingId)).not.toContain(c2!.id);
    const w1 = warnings.find((w) => w.recordingId === c1!.id)!;
    expect(w1).toMatchObject({ cameraId: "yard", eventId: c1!.eventId });
    expect(w1.data).toMatchObject({
      reason: "disk-budget",
      filePath: c1!.filePath,
      sizeBytes: c1!.sizeBytes,
    });
    for (const c of [c1!, c2!, c3!]) {
      await expect(stat(c.filePath)).rejects.toThrow();
      expect(await repos.recordings.get(c.id)).toBeUndefined();
      // The event stays; its thumbnail went with its clip.
      const ev = (await repos.events.get(c.eventId!))!;
      expect(ev.thumbnailPath).toBeNull();
      await expect(stat(thumbnailOf(c.filePath))).rejects.toThrow();
    }
  });
});
