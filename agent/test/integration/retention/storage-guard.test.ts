import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClipIndex, ClipInfo } from "../../../src/retention/clip-index.js";
import { DAY_MS, MB, type RetentionSettings } from "../../../src/retention/policy.js";
import { type GuardTimers, StorageGuard, type StorageStatus } from "../../../src/retention/storage-guard.js";

const NOW = Date.UTC(2025, 5, 1);
const THUMB = 10 * 1024;

let root: string;
let clipsDir: string;
let ringDir: string;
let capacity: number;

/** statfs of a pretend disk of `capacity` bytes holding exactly the files under `root`. */
async function fakeStatfs() {
  const used = await du(root);
  return { bavail: Math.max(0, Math.floor((capacity - used) / 4096)), bsize: 4096 };
}
async function du(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await du(p) : (await stat(p)).size;
  }
  return total;
}
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

class MemoryIndex implements ClipIndex {
  readonly clips = new Map<string, ClipInfo>();
  readonly removed: Array<[string, string, boolean]> = [];
  lists = 0;
  async list() {
    this.lists++;
    return [...this.clips.values()].map((c) => ({ ...c }));
  }
  async remove(id: string, reason: string, uploaded: boolean) {
    this.clips.delete(id);
    this.removed.push([id, reason, uploaded]);
  }
}

/** A real 1 MiB clip (mp4 + thumbnail) on disk and in the index; flags: u = uploaded, p = pinned. */
async function addClip(index: MemoryIndex, id: string, ageDays: number, flags = ""): Promise<ClipInfo> {
  const path = join(clipsDir, `${id}.mp4`);
  const thumbnailPath = join(clipsDir, `${id}.jpg`);
  await writeFile(path, Buffer.alloc(MB - THUMB));
  await writeFile(thumbnailPath, Buffer.alloc(THUMB));
  const clip: ClipInfo = {
    id,
    cameraId: "front-door",
    startedAt: NOW - ageDays * DAY_MS,
    sizeBytes: MB,
    uploaded: flags.includes("u"),
    pinned: flags.includes("p"),
    path,
    thumbnailPath,
  };
  index.clips.set(id, clip);
  return clip;
}

function fakeLog() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

function guard(
  index: ClipIndex,
  settings: RetentionSettings,
  extra: Partial<ConstructorParameters<typeof StorageGuard>[0]> = {},
) {
  const log = fakeLog();
  const statuses: StorageStatus[] = [];
  const g = new StorageGuard({
    index,
    dir: root,
    clipsDir,
    settings: () => settings,
    log,
    statfs: fakeStatfs,
    now: () => NOW,
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  return { g, log, statuses };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "homecam-guard-"));
  clipsDir = join(root, "clips");
  ringDir = join(root, "ring", "front-door");
  await mkdir(clipsDir);
  await mkdir(ringDir, { recursive: true });
  // The segment being recorded: never the guard's to delete.
  await writeFile(join(ringDir, "seg00042.ts"), Buffer.alloc(256 * 1024));
  capacity = 1024 * MB;
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("StorageGuard", () => {
  it("on a small disk budget deletes uploaded clips first and reports the not-uploaded ones", async () => {
    const index = new MemoryIndex();
    await addClip(index, "a", 6); // oldest, only copy
    await addClip(index, "b", 5, "u");
    await addClip(index, "c", 4);
    await addClip(index, "d", 3, "up");
    await addClip(index, "e", 2, "u");
    await addClip(index, "f", 1);
    const { g, log } = guard(index, { storageDays: 30, maxDiskMB: 2, minFreeMB: 0 });

    const result = await g.sweep();

    expect(result.deleted.map((d) => `${d.id}:${d.reason}`)).toEqual([
      "b:disk-budget",
      "e:disk-budget",
      "d:disk-budget",
      "a:disk-budget",
    ]);
    expect(result.notUploaded.map((d) => d.id)).toEqual(["a"]);
    expect(index.removed).toEqual([
      ["b", "disk-budget", true],
      ["e", "disk-budget", true],
      ["d", "disk-budget", true],
      ["a", "disk-budget", false],
    ]);
    expect((await readdir(clipsDir)).sort()).toEqual(["c.jpg", "c.mp4", "f.jpg", "f.mp4"]);
    expect(await exists(join(ringDir, "seg00042.ts"))).toBe(true);
    // Every deletion logged with its reason; losing the only copy is a warning.
    expect(log.info).toHaveBeenCalledTimes(3);
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ id: "a", reason: "disk-budget", uploaded: false }),
      "clip deleted before it was uploaded",
    );
    expect(result.status.state).toBe("ok");
  });

  it("deletes by age, keeping pinned clips however old", async () => {
    const index = new MemoryIndex();
    await addClip(index, "old", 31, "u");
    await addClip(index, "old-pinned", 400, "p");
    await addClip(index, "new", 1);
    const { g } = guard(index, { storageDays: 30, maxDiskMB: 100, minFreeMB: 0 });
    const result = await g.sweep();
    expect(result.deleted.map((d) => `${d.id}:${d.reason}`)).toEqual(["old:age"]);
    expect([...index.clips.keys()].sort()).toEqual(["new", "old-pinned"]);
  });

  it("emergency: below minFreeMB it deletes until free again, measuring the disk as it goes", async () => {
    const index = new MemoryIndex();
    for (const [i, id] of ["a", "b", "c", "d", "e"].entries())
      await addClip(index, id, 10 - i, i % 2 ? "u" : "");
    capacity = 8 * MB; // ≈5.25 MiB used → ≈2.75 MiB free
    const { g, statuses } = guard(index, { storageDays: 30, maxDiskMB: 100, minFreeMB: 4 });

    const result = await g.sweep();

    // Uploaded first, oldest first: b frees 1 MiB (≈3.75 free, still short), d brings it to ≈4.75.
    // Not one more: the not-uploaded clips a, c, e stay.
    expect(result.deleted.map((d) => `${d.id}:${d.reason}`)).toEqual(["b:free-space", "d:free-space"]);
    expect((await fakeStatfs()).bavail * 4096).toBeGreaterThanOrEqual(4 * MB);
    expect(result.status.state).toBe("ok");
    expect(statuses).toEqual([]);
  });

  it("reports disk-full when nothing deletable remains, and never touches ring segments", async () => {
    const index = new MemoryIndex();
    await addClip(index, "a", 2, "u");
    await addClip(index, "b", 1);
    // The store is corrupt and lists a ring segment as a clip: refused, not deleted.
    index.clips.set("ring", {
      id: "ring",
      cameraId: "front-door",
      startedAt: NOW - 3 * DAY_MS,
      sizeBytes: 256 * 1024,
      uploaded: true,
      pinned: false,
      path: join(ringDir, "seg00042.ts"),
    });
    await writeFile(join(root, "other-program.bin"), Buffer.alloc(3 * MB)); // not ours
    capacity = 6 * MB;
    const { g, log, statuses } = guard(index, { storageDays: 30, maxDiskMB: 100, minFreeMB: 4 });

    const result = await g.sweep();

    expect(result.deleted.map((d) => d.id).sort()).toEqual(["a", "b"]);
    expect(result.notUploaded.map((d) => d.id)).toEqual(["b"]);
    expect(result.failed).toEqual([
      { id: "ring", error: expect.stringContaining("outside clips directory") },
    ]);
    expect(await exists(join(ringDir, "seg00042.ts"))).toBe(true);
    expect(index.clips.has("ring")).toBe(true);
    expect(result.status.state).toBe("disk-full");
    expect(g.status().state).toBe("disk-full");
    expect(statuses.map((s) => s.state)).toEqual(["disk-full"]);
    expect(log.error).toHaveBeenCalledWith(
      expect.anything(),
      expect.stringMatching(/below storage.minFreeMB 4/),
    );

    // Space comes back (the other program cleaned up): the next sweep reports ok again.
    await rm(join(root, "other-program.bin"));
    expect((await g.sweep()).status.state).toBe("ok");
    expect(statuses.map((s) => s.state)).toEqual(["disk-full", "ok"]);
  });

  it("treats an already missing file as deleted and still updates the index", async () => {
    const index = new MemoryIndex();
    const clip = await addClip(index, "gone", 40, "u");
    await rm(clip.path);
    const { g } = guard(index, { storageDays: 30, maxDiskMB: 100, minFreeMB: 0 });
    expect((await g.sweep()).deleted.map((d) => d.id)).toEqual(["gone"]);
    expect(index.removed).toEqual([["gone", "age", true]]);
    expect(await exists(clip.thumbnailPath!)).toBe(false);
  });

  it("runs on injected timers: periodic sweeps, an immediate one when space runs short, none after stop", async () => {
    const index = new MemoryIndex();
    await addClip(index, "a", 2, "u");
    await addClip(index, "b", 1, "u");
    let pending: { fn: () => void; ms: number } | undefined;
    const timers: GuardTimers = {
      setTimeout: (fn, ms) => {
        pending = { fn, ms };
        return pending;
      },
      clearTimeout: (h) => {
        if (h === pending) pending = undefined;
      },
    };
    const fire = async () => {
      const p = pending!;
      pending = undefined;
      p.fn();
      await vi.waitFor(() => expect(pending).toBeDefined()); // the next tick is scheduled after the check
      return p.ms;
    };
    let now = NOW;
    const { g } = guard(
      index,
      { storageDays: 30, maxDiskMB: 100, minFreeMB: 4 },
      { timers, now: () => now, checkIntervalMs: 5000, sweepIntervalMs: 60_000 },
    );

    await g.start(new AbortController().signal);
    expect(await fire()).toBe(0); // first check at once: the periodic sweep is due
    expect(index.lists).toBe(1);
    expect(pending!.ms).toBe(5000);

    now += 5000;
    await fire(); // plenty of space, sweep not due: only statfs
    expect(index.lists).toBe(1);

    capacity = 5 * MB; // ≈2.25 MiB used of 5: below 4 MiB free → emergency sweep without waiting
    now += 5000;
    await fire();
    expect(index.lists).toBeGreaterThan(1);
    expect(index.removed.map(([id]) => id)).toEqual(["a", "b"]);

    await g.stop();
    expect(pending).toBeUndefined();
  });

  it("logs a failed check and keeps the loop alive", async () => {
    const index = new MemoryIndex();
    let pending: (() => void) | undefined;
    const timers: GuardTimers = {
      setTimeout: (fn) => {
        pending = fn;
        return fn;
      },
      clearTimeout: () => {
        pending = undefined;
      },
    };
    const statfs = vi.fn().mockRejectedValueOnce(Object.assign(new Error("EIO"), { code: "EIO" }));
    statfs.mockImplementation(fakeStatfs);
    const { g, log } = guard(index, { storageDays: 30, maxDiskMB: 100, minFreeMB: 0 }, { timers, statfs });
    await g.start(new AbortController().signal);
    const first = pending!;
    pending = undefined;
    first();
    await vi.waitFor(() => expect(pending).toBeDefined());
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.any(Error) }),
      "storage check failed",
    );
    await g.stop();
  });
});
