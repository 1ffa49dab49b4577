import { describe, expect, it } from "vitest";
import type { Point, Zone } from "../../../src/motion/types.js";
import { rasterizeZones } from "../../../src/motion/zones.js";

const rect = (mode: Zone["mode"], x0: number, y0: number, x1: number, y1: number): Zone => ({
  mode,
  points: [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ],
});

/** The mask as rows of "#" (watched) and "." for readable expectations. */
function picture(zones: Zone[], w: number, h: number): string[] {
  const { mask } = rasterizeZones(zones, w, h);
  const rows: string[] = [];
  for (let y = 0; y < h; y++)
    rows.push([...mask.subarray(y * w, (y + 1) * w)].map((v) => (v ? "#" : ".")).join(""));
  return rows;
}

describe("rasterizeZones", () => {
  it("watches the whole frame without zones", () => {
    const { mask, active } = rasterizeZones([], 16, 9);
    expect(active).toBe(16 * 9);
    expect(mask.every((v) => v === 1)).toBe(true);
  });

  it("cuts out an exclude rectangle by pixel centres", () => {
    expect(picture([rect("exclude", 0.25, 0.25, 0.75, 0.75)], 8, 4)).toEqual([
      "########",
      "##....##",
      "##....##",
      "########",
    ]);
  });

  it("watches only the union of include zones, and exclude wins over include", () => {
    const zones = [
      rect("include", 0, 0, 0.5, 1),
      rect("include", 0.75, 0, 1, 0.5),
      rect("exclude", 0, 0, 0.25, 0.5),
    ];
    expect(picture(zones, 8, 4)).toEqual(["..##..##", "..##..##", "####....", "####...."]);
  });

  it("fills a triangle with about the right area", () => {
    const tri: Point[] = [
      [0, 0],
      [1, 0],
      [0, 1],
    ];
    const { active } = rasterizeZones([{ mode: "include", points: tri }], 200, 100);
    expect(active / 20000).toBeCloseTo(0.5, 1);
  });

  it("handles concave and self-intersecting polygons with the even-odd rule", () => {
    // A "U": the notch in the middle stays unwatched.
    const u: Point[] = [
      [0, 0],
      [0.25, 0],
      [0.25, 0.5],
      [0.75, 0.5],
      [0.75, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    expect(picture([{ mode: "include", points: u }], 8, 4)).toEqual([
      "##....##",
      "##....##",
      "########",
      "########",
    ]);
    // A bow-tie: two triangles meeting in the middle.
    const bow: Point[] = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
    ];
    const { active } = rasterizeZones([{ mode: "include", points: bow }], 100, 100);
    expect(active / 10000).toBeCloseTo(0.5, 1);
  });

  it("ignores degenerate polygons and clamps to the frame", () => {
    const line: Zone = {
      mode: "exclude",
      points: [
        [0, 0],
        [1, 1],
      ],
    };
    expect(rasterizeZones([line], 10, 10).active).toBe(100);
    expect(rasterizeZones([rect("exclude", 0, 0, 1, 1)], 10, 10).active).toBe(0);
  });
});
