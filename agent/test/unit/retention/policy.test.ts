import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  MB,
  planRetention,
  type RetentionClip,
  type RetentionInput,
  type RetentionSettings,
} from "../../../src/retention/policy.js";

const NOW = Date.UTC(2025, 5, 1);
const SETTINGS: RetentionSettings = { storageDays: 30, maxDiskMB: 100, minFreeMB: 50 };

/** `id` flags: u = uploaded, p = pinned. */
function clip(id: string, ageDays: number, sizeMB: number, flags = ""): RetentionClip {
  return {
    id,
    cameraId: "cam",
    startedAt: NOW - ageDays * DAY_MS,
    sizeBytes: sizeMB * MB,
    uploaded: flags.includes("u"),
    pinned: flags.includes("p"),
  };
}

interface Row {
  name: string;
  clips: RetentionClip[];
  settings?: Partial<RetentionSettings>;
  freeMB?: number;
  /** `id:reason` in order. */
  expected: string[];
  shortfallMB?: number;
  excessMB?: number;
}

const table: Row[] = [
  { name: "nothing to do", clips: [clip("a", 1, 10), clip("b", 2, 10, "u")], expected: [] },
  {
    name: "age: unpinned clips older than storageDays go, oldest first; pinned ones survive",
    clips: [clip("young", 29, 1), clip("old", 31, 1, "u"), clip("older", 40, 1), clip("pinned", 90, 1, "p")],
    expected: ["older:age", "old:age"],
  },
  { name: "exactly storageDays old is not older", clips: [clip("a", 30, 1)], expected: [] },
  {
    name: "budget: an uploaded clip goes before an older not-uploaded one",
    clips: [clip("a", 5, 30), clip("b", 4, 30, "u"), clip("c", 3, 30), clip("d", 2, 30)],
    expected: ["b:disk-budget"],
  },
  {
    name: "budget: uploaded-pinned before not-uploaded-unpinned (the cloud has a copy)",
    clips: [clip("a", 5, 60), clip("b", 1, 60, "up")],
    expected: ["b:disk-budget"],
  },
  {
    name: "budget: unpinned before pinned among uploaded, then oldest first",
    clips: [clip("p", 9, 40, "up"), clip("x", 2, 40, "u"), clip("y", 3, 40, "u")],
    expected: ["y:disk-budget"],
  },
  {
    name: "budget: not-uploaded unpinned before not-uploaded pinned",
    clips: [clip("p", 9, 60, "p"), clip("n", 1, 60)],
    expected: ["n:disk-budget"],
  },
  { name: "exactly at the budget is within it", clips: [clip("a", 2, 50), clip("b", 1, 50)], expected: [] },
  {
    name: "free space: delete until minFreeMB is free, not one more",
    clips: [clip("a", 5, 10), clip("b", 4, 10, "u"), clip("c", 3, 10, "u"), clip("d", 2, 10)],
    freeMB: 25,
    expected: ["b:free-space", "c:free-space", "a:free-space"],
  },
  {
    name: "budget first, then free space, by the same order",
    clips: [clip("a", 5, 40, "u"), clip("b", 4, 40, "u"), clip("c", 3, 40)],
    freeMB: 5,
    expected: ["a:disk-budget", "b:free-space"],
  },
  {
    name: "age deletions count towards free space",
    clips: [clip("old", 45, 30), clip("new", 1, 30, "u")],
    freeMB: 25,
    expected: ["old:age"],
  },
  {
    name: "a disk full of other things: every clip goes and the shortfall is reported",
    clips: [clip("a", 2, 10, "u"), clip("b", 1, 10, "p")],
    freeMB: 5,
    expected: ["a:free-space", "b:free-space"],
    shortfallMB: 25,
  },
  { name: "no clips and no space", clips: [], freeMB: 1, expected: [], shortfallMB: 49 },
  {
    name: "same start time: the id decides, so the plan is deterministic",
    clips: [clip("b", 1, 60, "u"), clip("a", 1, 60, "u")],
    expected: ["a:disk-budget"],
  },
  {
    name: "minFreeMB 0 and a large budget: only age applies",
    clips: [clip("a", 31, 500), clip("b", 1, 500)],
    settings: { maxDiskMB: 4096, minFreeMB: 0 },
    freeMB: 0,
    expected: ["a:age"],
  },
];

describe("planRetention", () => {
  it.each(table)("$name", (row) => {
    const plan = planRetention({
      clips: row.clips,
      settings: { ...SETTINGS, ...row.settings },
      now: NOW,
      disk: { freeBytes: (row.freeMB ?? 1000) * MB },
    });
    expect(plan.deletions.map((d) => `${d.id}:${d.reason}`)).toEqual(row.expected);
    expect(plan.freeShortfallBytes).toBe((row.shortfallMB ?? 0) * MB);
    expect(plan.budgetExcessBytes).toBe((row.excessMB ?? 0) * MB);
  });

  it("flags every deletion of a not-uploaded clip and carries what the warning event needs", () => {
    const plan = planRetention({
      clips: [clip("old", 40, 1), { ...clip("big", 1, 200), cameraId: "garage" }],
      settings: SETTINGS,
      now: NOW,
      disk: { freeBytes: 1000 * MB },
    });
    expect(plan.deletions).toEqual([
      { id: "old", cameraId: "cam", reason: "age", uploaded: false, pinned: false, sizeBytes: MB },
      {
        id: "big",
        cameraId: "garage",
        reason: "disk-budget",
        uploaded: false,
        pinned: false,
        sizeBytes: 200 * MB,
      },
    ]);
  });

  it("does not modify its input", () => {
    const clips = [clip("b", 1, 60, "u"), clip("a", 50, 60)];
    const copy = structuredClone(clips);
    planRetention({ clips, settings: SETTINGS, now: NOW, disk: { freeBytes: 0 } });
    expect(clips).toEqual(copy);
  });
});

// ---- properties -------------------------------------------------------------------------------

const inputArb: fc.Arbitrary<RetentionInput> = fc
  .record({
    clips: fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        cameraId: fc.constantFrom("a", "b"),
        startedAt: fc.integer({ min: NOW - 60 * DAY_MS, max: NOW }),
        sizeBytes: fc.integer({ min: 0, max: 50 * MB }),
        pinned: fc.boolean(),
        uploaded: fc.boolean(),
      }),
      { selector: (c) => c.id, maxLength: 30 },
    ),
    settings: fc.record({
      storageDays: fc.integer({ min: 1, max: 60 }),
      maxDiskMB: fc.integer({ min: 16, max: 800 }),
      minFreeMB: fc.integer({ min: 0, max: 400 }),
    }),
    freeBytes: fc.integer({ min: 0, max: 1000 * MB }),
  })
  .map(({ clips, settings, freeBytes }) => ({ clips, settings, now: NOW, disk: { freeBytes } }));

/** Space priority as documented: uploaded, then unpinned, then oldest (id breaks ties). */
const rank = (c: RetentionClip) => [c.uploaded ? 0 : 1, c.pinned ? 1 : 0, c.startedAt, c.id] as const;
const before = (a: RetentionClip, b: RetentionClip) => {
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < x.length; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]!;
  return true;
};

function state(input: RetentionInput, deleted: ReadonlySet<string>) {
  let total = 0;
  let freed = 0;
  for (const c of input.clips) {
    if (deleted.has(c.id)) freed += c.sizeBytes;
    else total += c.sizeBytes;
  }
  const ok =
    total <= input.settings.maxDiskMB * MB && input.disk.freeBytes + freed >= input.settings.minFreeMB * MB;
  return { ok, total };
}

describe("planRetention properties", () => {
  it("deletes each clip at most once, with the clip's own flags", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRetention(input);
        const byId = new Map(input.clips.map((c) => [c.id, c]));
        expect(new Set(plan.deletions.map((d) => d.id)).size).toBe(plan.deletions.length);
        for (const d of plan.deletions) {
          const c = byId.get(d.id)!;
          expect([d.uploaded, d.pinned, d.cameraId, d.sizeBytes]).toEqual([
            c.uploaded,
            c.pinned,
            c.cameraId,
            c.sizeBytes,
          ]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("age deletions are exactly the expired unpinned clips", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const cutoff = input.now - input.settings.storageDays * DAY_MS;
        const expired = input.clips.filter((c) => !c.pinned && c.startedAt < cutoff).map((c) => c.id);
        const aged = planRetention(input)
          .deletions.filter((d) => d.reason === "age")
          .map((d) => d.id);
        expect(new Set(aged)).toEqual(new Set(expired));
      }),
      { numRuns: 500 },
    );
  });

  it("never deletes a not-uploaded clip for space while an uploaded unpinned one remains", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRetention(input);
        const deleted = new Set(plan.deletions.map((d) => d.id));
        const remainingUploadedUnpinned = input.clips.some(
          (c) => !deleted.has(c.id) && c.uploaded && !c.pinned,
        );
        const spaceLostOnlyCopy = plan.deletions.some((d) => d.reason !== "age" && !d.uploaded);
        expect(remainingUploadedUnpinned && spaceLostOnlyCopy).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("space deletions are a prefix of the priority order: no kept clip ranks before a deleted one", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRetention(input);
        const deleted = new Set(plan.deletions.map((d) => d.id));
        const spaceDeleted = input.clips.filter((c) =>
          plan.deletions.some((d) => d.id === c.id && d.reason !== "age"),
        );
        const kept = input.clips.filter((c) => !deleted.has(c.id));
        for (const d of spaceDeleted) for (const k of kept) expect(before(d, k)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("is minimal: without its last space deletion the limits would not hold; with it they do (or nothing is left)", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRetention(input);
        const ids = plan.deletions.map((d) => d.id);
        const last = plan.deletions.at(-1);
        if (last && last.reason !== "age") {
          expect(state(input, new Set(ids.slice(0, -1))).ok).toBe(false);
        }
        const after = state(input, new Set(ids));
        const everythingDeletable = input.clips.every((c) => ids.includes(c.id));
        expect(after.ok || everythingDeletable).toBe(true);
        expect(plan.freeShortfallBytes === 0 && plan.budgetExcessBytes === 0).toBe(after.ok);
      }),
      { numRuns: 500 },
    );
  });
});
