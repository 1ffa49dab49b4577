import { describe, expect, it } from "vitest";
import { parseSegmentListLine, SegmentTimeline } from "../../../src/capture/index.js";

describe("parseSegmentListLine", () => {
  it.each([
    ["seg-000000007.ts,0.000000,2.000000", { file: "seg-000000007.ts", start: 0, end: 2 }],
    ["seg-000000010.ts,6.000000,7.100000\r", { file: "seg-000000010.ts", start: 6, end: 7.1 }],
    ['"a,""b"".ts",1.5,3.5', { file: 'a,"b".ts', start: 1.5, end: 3.5 }],
    ["seg-1.ts,1e3,1.002e3", { file: "seg-1.ts", start: 1000, end: 1002 }],
    ["", undefined],
    ["seg.ts,abc,2", undefined],
    [",1,2", undefined],
    ["[segment @ 0x55] Opening 'x' for writing", undefined],
  ])("%j", (line, want) => {
    expect(parseSegmentListLine(line)).toEqual(want);
  });
});

describe("SegmentTimeline", () => {
  const entry = (i: number, start: number, end: number) => ({ file: `seg-${i}.ts`, start, end });

  it("anchors on the earliest arrival relative to stream time and keeps segments contiguous", () => {
    const t = new SegmentTimeline("/ring");
    const base = 1_700_000_000_000;
    // Lines arrive 60–600 ms after their segment's end; the first one late (probing burst).
    const a = t.add(entry(0, 0, 2), base + 2_000 + 600);
    const b = t.add(entry(1, 2, 4), base + 4_000 + 60);
    const c = t.add(entry(2, 4, 6), base + 6_000 + 120);
    expect(a).toEqual({ path: "/ring/seg-0.ts", startMs: base + 600, endMs: base + 2_600 });
    // The better estimate moves the next start by −540 ms, beyond the snap: an honest overlap, not a lie.
    expect(b).toEqual({ path: "/ring/seg-1.ts", startMs: base + 2_060, endMs: base + 4_060 });
    expect(c).toEqual({ path: "/ring/seg-2.ts", startMs: base + 4_060, endMs: base + 6_060 });
  });

  it("joins a segment to the previous one across small gaps (packets without duration)", () => {
    const t = new SegmentTimeline("/ring");
    const a = t.add(entry(0, 0.1, 2.8), 10_000);
    const b = t.add(entry(1, 2.9, 4.8), 12_000);
    expect(b.startMs).toBe(a.endMs);
    expect(b.endMs).toBe(12_000);
  });

  it.each([
    ["backwards (stream restarted at 0)", 0],
    ["forwards (wrap or reset to a large value)", 90_000],
  ])("starts the estimate afresh after a timestamp jump %s", (_name, start) => {
    const t = new SegmentTimeline("/ring");
    t.add(entry(0, 0, 2), 2_000);
    t.add(entry(1, 2, 4), 4_000);
    const c = t.add(entry(2, start, start + 2), 6_100);
    expect(c).toMatchObject({ startMs: 4_000, endMs: 6_100 });
  });

  it("follows a drifting source clock through its sliding window", () => {
    const t = new SegmentTimeline("/ring", { window: 4 });
    // The camera's clock runs 1 % slow: every 2 s of stream time is 2.02 s of ours.
    let last = { startMs: 0, endMs: 0 };
    for (let i = 0; i < 40; i++) last = t.add(entry(i, i * 2, i * 2 + 2), (i + 1) * 2_020 + 50);
    // The estimate lags by at most the window, never the whole run (which would be 40 × 20 ms).
    expect(40 * 2_020 + 50 - last.endMs).toBeLessThanOrEqual(4 * 20 + 50);
  });

  it("never yields an empty or negative segment", () => {
    const t = new SegmentTimeline("/ring");
    const s = t.add(entry(0, 3, 3), 5_000);
    expect(s.endMs).toBeGreaterThan(s.startMs);
  });
});
