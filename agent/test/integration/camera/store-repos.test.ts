import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentStore } from "../../../src/store/agent-store.js";
import { newId } from "../../../src/store/ids.js";
import type { NewRecordingInput } from "../../../src/store/recordings-repo.js";
import type { AgentRepos } from "../../../src/store/repos.js";
import { cameraConfig, openRepos, tempDir } from "./helpers.js";

const T = 1_750_000_000_000;

let dir: { path: string; remove(): Promise<void> };
let store: AgentStore;
let repos: AgentRepos;

beforeEach(async () => {
  dir = await tempDir("repos");
  ({ store, repos } = await openRepos(dir.path));
  await repos.cameras.syncFromConfig([
    cameraConfig("front", { source: { type: "test" } }),
    cameraConfig("back", { source: { type: "rtsp", url: "rtsp://cam/x" } }),
  ]);
});
afterEach(async () => {
  await store.close();
  await dir.remove();
});

const clip = (
  index: number,
  startedAt: number,
  extra: Partial<NewRecordingInput> = {},
): NewRecordingInput => ({
  index,
  filePath: `/clips/front/e-${index}.mp4`,
  startedAt,
  endedAt: startedAt + 10_000,
  durationMs: 10_000,
  sizeBytes: 1000 + index,
  format: "mp4",
  ...extra,
});

describe("store repositories", () => {
  it("makes random URL-safe ids of 128 bits", () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("syncs cameras from the config, keeping removed ones as disabled", async () => {
    await repos.cameras.syncFromConfig([
      cameraConfig("front", { name: "Front door", source: { type: "test" } }),
    ]);
    expect(await repos.cameras.list()).toEqual([
      { id: "back", name: "back", sourceType: "rtsp", enabled: false },
      { id: "front", name: "Front door", sourceType: "test", enabled: true },
    ]);
    await repos.cameras.syncFromConfig([]);
    expect((await repos.cameras.list()).map((c) => c.enabled)).toEqual([false, false]);
  });

  it("records an event's life: insert, progress, then end with its clips in one transaction", async () => {
    const ev = await repos.events.insert({ cameraId: "front", type: "motion", startedAt: T, score: 0.2 });
    expect(ev).toMatchObject({
      cameraId: "front",
      endedAt: null,
      durationMs: null,
      score: 0.2,
      metadata: {},
    });
    expect(await repos.events.listOpen()).toHaveLength(1);
    await repos.events.update(ev.id, { score: 0.5, metadata: { boxes: [[0.1, 0.2, 0.3, 0.4]] } });
    expect(await repos.events.get(ev.id)).toMatchObject({
      score: 0.5,
      metadata: { boxes: [[0.1, 0.2, 0.3, 0.4]] },
    });

    const done = await repos.events.finish(
      ev,
      {
        endedAt: T + 4_000,
        score: 0.7,
        metadata: { endReason: "gap" },
        thumbnail: { path: "/clips/front/e.jpg", sizeBytes: 300 },
      },
      [clip(0, T - 5_000), clip(1, T + 5_000)],
    );
    expect(done.event).toMatchObject({
      endedAt: T + 4_000,
      durationMs: 4_000,
      score: 0.7,
      thumbnailPath: "/clips/front/e.jpg",
    });
    expect(done.recordings.map((r) => [r.index, r.eventId, r.uploadState])).toEqual([
      [0, ev.id, "pending"],
      [1, ev.id, "pending"],
    ]);
    expect(await repos.recordings.byEvent(ev.id)).toEqual(done.recordings);
    expect(await repos.events.listOpen()).toEqual([]);
  });

  it("rolls the whole end back when one part fails: the event stays open, no clip row is left", async () => {
    const ev = await repos.events.insert({ cameraId: "front", type: "motion", startedAt: T });
    // Two clips with the same index violate the (event, idx) unique index.
    await expect(
      repos.events.finish(ev, { endedAt: T + 1000, score: 1, metadata: {} }, [clip(0, T), clip(0, T + 1)]),
    ).rejects.toThrow();
    expect(await repos.events.get(ev.id)).toMatchObject({ endedAt: null, score: 0 });
    expect(await repos.recordings.list()).toEqual([]);
  });

  it("ends an event whose start was never recorded (its insert failed): the row is not lost", async () => {
    const id = newId();
    const done = await repos.events.finish(
      { id, cameraId: "front", type: "motion", startedAt: T },
      { endedAt: T + 2_000, score: 0.3, metadata: {} },
      [clip(0, T - 5_000)],
    );
    expect(done.event).toMatchObject({ id, startedAt: T, endedAt: T + 2_000, durationMs: 2_000 });
    expect(done.recordings).toHaveLength(1);
  });

  it("lists events newest first with camera, since, until, type, open and limit filters", async () => {
    for (let i = 0; i < 6; i++) {
      const cameraId = i % 2 ? "back" : "front";
      const e = await repos.events.insert({
        cameraId,
        type: i === 5 ? "manual" : "motion",
        startedAt: T + i * 1000,
      });
      if (i < 4) await repos.events.finish(e, { endedAt: T + i * 1000 + 500, score: 0.1, metadata: {} });
    }
    const starts = (evs: { startedAt: number }[]) => evs.map((e) => (e.startedAt - T) / 1000);
    expect(starts(await repos.events.list())).toEqual([5, 4, 3, 2, 1, 0]);
    expect(starts(await repos.events.list({ cameraId: "front" }))).toEqual([4, 2, 0]);
    expect(starts(await repos.events.list({ since: T + 2000 }))).toEqual([5, 4, 3, 2]);
    expect(starts(await repos.events.list({ since: T + 1000, until: T + 4000 }))).toEqual([3, 2, 1]);
    expect(starts(await repos.events.list({ type: "manual" }))).toEqual([5]);
    expect(starts(await repos.events.list({ open: true }))).toEqual([5, 4]);
    expect(starts(await repos.events.list({ limit: 2 }))).toEqual([5, 4]);
    expect(await repos.events.lastStartedAt()).toEqual(
      new Map([
        ["front", T + 4000],
        ["back", T + 5000],
      ]),
    );
  });

  it("lists clips for retention with the thumbnail counted on the event's first clip", async () => {
    const ev = await repos.events.insert({ cameraId: "front", type: "motion", startedAt: T });
    const { recordings } = await repos.events.finish(
      ev,
      {
        endedAt: T + 1000,
        score: 1,
        metadata: {},
        thumbnail: { path: "/clips/front/e.jpg", sizeBytes: 300 },
      },
      [clip(0, T), clip(1, T + 10_000)],
    );
    await repos.recordings.markUploaded(recordings[1]!.id, T + 99);
    const clips = (await repos.clipIndex.list()).sort((a, b) => a.startedAt - b.startedAt);
    expect(clips).toEqual([
      {
        id: recordings[0]!.id,
        cameraId: "front",
        startedAt: T,
        sizeBytes: 1300,
        pinned: false,
        uploaded: false,
        path: "/clips/front/e-0.mp4",
        thumbnailPath: "/clips/front/e.jpg",
      },
      {
        id: recordings[1]!.id,
        cameraId: "front",
        startedAt: T + 10_000,
        sizeBytes: 1001,
        pinned: false,
        uploaded: true,
        path: "/clips/front/e-1.mp4",
        thumbnailPath: null,
      },
    ]);
    expect(await repos.recordings.get(recordings[1]!.id)).toMatchObject({
      uploadState: "uploaded",
      uploadedAt: T + 99,
    });
  });

  it("removes a retained clip's row, warning only when it was never uploaded", async () => {
    const ev = await repos.events.insert({ cameraId: "front", type: "motion", startedAt: T });
    const { recordings } = await repos.events.finish(
      ev,
      {
        endedAt: T + 1000,
        score: 1,
        metadata: {},
        thumbnail: { path: "/clips/front/e.jpg", sizeBytes: 300 },
      },
      [clip(0, T), clip(1, T + 10_000)],
    );
    const [first, second] = recordings as [(typeof recordings)[0], (typeof recordings)[0]];
    await repos.clipIndex.remove(second.id, "disk-budget", true);
    expect(await repos.warnings.list()).toEqual([]);
    await repos.clipIndex.remove(first.id, "age", false);
    expect(await repos.recordings.list()).toEqual([]);
    // The event stays; its thumbnail went with its first clip.
    expect(await repos.events.get(ev.id)).toMatchObject({ thumbnailPath: null, endedAt: T + 1000 });
    const warnings = await repos.warnings.list();
    expect(warnings).toEqual([
      expect.objectContaining({
        kind: "clip-deleted-not-uploaded",
        cameraId: "front",
        eventId: ev.id,
        recordingId: first.id,
        data: { reason: "age", filePath: first.filePath, sizeBytes: 1000, startedAt: T, endedAt: T + 10_000 },
      }),
    ]);
    // Removing a row that is already gone does nothing (a retried sweep).
    await repos.clipIndex.remove(first.id, "age", false);
    expect(await repos.warnings.list()).toHaveLength(1);
  });
});
