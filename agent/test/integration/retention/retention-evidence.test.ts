import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MB } from "../../../src/retention/policy.js";
import { StorageGuard, type SweepResult } from "../../../src/retention/storage-guard.js";
import {
  addRecording,
  type ClipWorld,
  deletionReports,
  makeClip,
  openClipWorld,
} from "./real-clips-fixture.js";

// Issue 7, "Done when" 5: retention under a small disk budget never deletes a not-uploaded clip
// while an uploaded one remains, and reports each one it must delete (a `warn` log line, a local
// warning row, and the `retention.warning` + `clip.deleted` outbox facts for the cloud). Unlike
// storage-guard.test.ts (an in-memory index, zero-filled files) this runs the guard over the real
// store, real ffmpeg MP4 files and the real statfs of the temp directory's disk.

let templateDir: string;
/** A real ~200 KiB MP4, copied for every clip. */
let template: string;

beforeAll(async () => {
  templateDir = mkdtempSync(join(tmpdir(), "homecam-retention-template-"));
  template = await makeClip(templateDir, 200);
});
afterAll(() => rmSync(templateDir, { recursive: true, force: true }));

type Added = Awaited<ReturnType<typeof addRecording>> & { uploaded: boolean };

/** A guard over the world's real store and disk: no age limit in play, no free-space floor. */
function guardOf(w: ClipWorld, budgetBytes: number) {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const guard = new StorageGuard({
    index: w.repos.clipIndex,
    dir: w.stateDir,
    clipsDir: w.clipsDir,
    settings: () => ({ storageDays: 365, maxDiskMB: budgetBytes / MB, minFreeMB: 0 }),
    log,
  });
  return { guard, log };
}

/** Everything the issue asks of one sweep, checked against the store, the disk and the reports. */
async function expectSafeAndReported(w: ClipWorld, added: Added[], result: SweepResult, budgetBytes: number) {
  const remaining = await w.repos.recordings.forRetention();
  const remainingIds = new Set(remaining.map((r) => r.id));
  const deleted = added.filter((a) => !remainingIds.has(a.recordingId));

  // The rule: a not-uploaded clip goes only once no uploaded clip is left.
  if (deleted.some((d) => !d.uploaded)) expect(remaining.filter((r) => r.uploaded)).toEqual([]);
  // Within budget, and not one clip more deleted than needed (the last one deleted would not fit).
  const total = remaining.reduce((s, r) => s + r.sizeBytes, 0);
  expect(total).toBeLessThanOrEqual(budgetBytes);
  if (result.deleted.length > 0)
    expect(total + result.deleted.at(-1)!.sizeBytes).toBeGreaterThan(budgetBytes);

  // Files follow the rows: deleted ones gone, kept ones still there.
  for (const a of added) expect(existsSync(a.filePath)).toBe(remainingIds.has(a.recordingId));

  // Reported: what the sweep says, the log, the local warning, the cloud's facts.
  const lost = deleted
    .filter((d) => !d.uploaded)
    .map((d) => d.recordingId)
    .sort();
  expect(result.deleted.map((d) => d.id).sort()).toEqual(deleted.map((d) => d.recordingId).sort());
  expect(result.notUploaded.map((d) => d.id).sort()).toEqual(lost);
  expect(result.failed).toEqual([]);
  const reports = await deletionReports(w);
  expect(reports.warnings.sort()).toEqual(lost);
  expect(reports.retentionWarning.sort()).toEqual(lost);
  expect(reports.clipDeleted.sort()).toEqual(deleted.map((d) => d.recordingId).sort());
}

describe("retention over real clips and the real store", () => {
  it("deletes every uploaded clip before any not-uploaded one, and reports each lost clip", async () => {
    const w = await openClipWorld();
    try {
      // Oldest first: not uploaded clips are the oldest, so age alone would pick them first.
      const flags = [false, false, true, false, true, true, false, true];
      const added: Added[] = [];
      for (const [i, uploaded] of flags.entries()) {
        added.push({ ...(await addRecording(w, template, { ageMin: 100 - i, uploaded })), uploaded });
      }
      const size = added[0]!.sizeBytes;
      // Room for 3 clips of 8: all 4 uploaded ones go, then the oldest not-uploaded one.
      const budget = 3 * size + size / 2;
      const { guard, log } = guardOf(w, budget);
      const result = await guard.sweep();

      expect(result.deleted.map((d) => [d.uploaded, d.reason])).toEqual([
        [true, "disk-budget"],
        [true, "disk-budget"],
        [true, "disk-budget"],
        [true, "disk-budget"],
        [false, "disk-budget"],
      ]);
      expect(result.notUploaded.map((d) => d.id)).toEqual([added[0]!.recordingId]);
      expect(log.warn).toHaveBeenCalledWith(
        expect.objectContaining({ id: added[0]!.recordingId, uploaded: false }),
        "clip deleted before it was uploaded",
      );
      await expectSafeAndReported(w, added, result, budget);
    } finally {
      await w.close();
    }
  }, 30_000);

  it("holds for random mixes of uploaded and not-uploaded clips and budgets (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 10 }),
        async (flags, fitting) => {
          const w = await openClipWorld();
          try {
            const added: Added[] = [];
            for (const [i, uploaded] of flags.entries()) {
              added.push({ ...(await addRecording(w, template, { ageMin: 100 - i, uploaded })), uploaded });
            }
            const budget = fitting * added[0]!.sizeBytes + 1024;
            const { guard } = guardOf(w, budget);
            const result = await guard.sweep();
            expect(result.deleted.length).toBe(Math.max(0, flags.length - fitting));
            await expectSafeAndReported(w, added, result, budget);
          } finally {
            await w.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 90_000);
});
