import { describe, expect, it } from "vitest";
import type { Segment } from "../../../src/capture/segment.js";
import { locateFrame, newestSegment } from "../../../src/recording/frame-locate.js";

const seg = (name: string, startMs: number, endMs: number): Segment => ({ path: name, startMs, endMs });
const segments = [seg("a", 0, 2000), seg("b", 2000, 4000), seg("c", 7000, 9000)];

describe("locateFrame", () => {
  it.each([
    { atMs: 0, path: "a", offsetMs: 0 },
    { atMs: 1999, path: "a", offsetMs: 1999 },
    { atMs: 2000, path: "b", offsetMs: 0 },
    { atMs: 3500, path: "b", offsetMs: 1500 },
    { atMs: 4500, path: "b", offsetMs: 1999 }, // in the gap, nearer b's end
    { atMs: 6500, path: "c", offsetMs: 0 }, // in the gap, nearer c's start
    { atMs: -500, path: "a", offsetMs: 0 }, // before the ring
    { atMs: 20_000, path: "c", offsetMs: 1999 }, // after the ring
  ])("$atMs → $path + $offsetMs", ({ atMs, path, offsetMs }) => {
    const at = locateFrame(segments, atMs);
    expect(at?.segment.path).toBe(path);
    expect(at?.offsetMs).toBe(offsetMs);
  });

  it("is null without segments", () => {
    expect(locateFrame([], 1)).toBeNull();
    expect(locateFrame([seg("empty", 5, 5)], 5)).toBeNull();
  });
});

describe("newestSegment", () => {
  it("picks the segment that ends last, whatever the order", () => {
    expect(newestSegment([segments[2]!, segments[0]!])?.path).toBe("c");
    expect(newestSegment([])).toBeNull();
  });
});
