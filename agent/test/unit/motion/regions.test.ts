import { describe, expect, it } from "vitest";
import { RegionFinder } from "../../../src/motion/regions.js";

/** 32x16 px with 4 px cells = an 8x4 grid; `grid` rows give per-cell counts (digit = count). */
function cellsOf(grid: string[]): Uint32Array {
  return Uint32Array.from(grid.join(""), (c) => (c === "." ? 0 : Number(c)));
}

describe("RegionFinder", () => {
  const finder = () => new RegionFinder(32, 16, 2);

  it("finds separate regions, largest first, as normalised boxes", () => {
    const f = finder();
    const cells = cellsOf(["99......", "99....5.", "......5.", "........"]);
    expect(f.find(cells, 2, 5)).toBe(2);
    expect(f.totalArea).toBe(36 + 10);
    expect(f.boxes(10)).toEqual([
      { x: 0, y: 0, w: 0.25, h: 0.5 },
      { x: 0.75, y: 0.25, w: 0.125, h: 0.5 },
    ]);
    expect(f.boxes(1)).toHaveLength(1);
  });

  it("joins diagonal neighbours (8-connectivity), including up-right", () => {
    const f = finder();
    expect(f.find(cellsOf(["9.......", ".9......", "..9.9...", "...9...."]), 2, 1)).toBe(1);
    expect(f.boxes(4)).toEqual([{ x: 0, y: 0, w: 0.625, h: 1 }]);
  });

  it("drops cells below the per-cell count and regions below the minimum area", () => {
    const f = finder();
    const cells = cellsOf(["1111....", "........", "....33..", "........"]);
    expect(f.find(cells, 2, 1)).toBe(1);
    expect(f.totalArea).toBe(6);
    expect(f.find(cells, 2, 7)).toBe(0);
    expect(f.boxes(4)).toEqual([]);
  });

  it("counts changed pixels per cell, clipping a partial last cell", () => {
    const f = new RegionFinder(10, 6, 2); // 3x2 grid, last column and row partial
    const fg = new Uint8Array(60).fill(1);
    const cells = new Uint32Array(6);
    f.countCells(fg, cells);
    expect([...cells]).toEqual([16, 16, 8, 8, 8, 4]);
    expect(f.find(cells, 1, 1)).toBe(1);
    expect(f.boxes(1)).toEqual([{ x: 0, y: 0, w: 1, h: 1 }]);
  });

  it("counts the same through the 32-bit fast path and the byte loop", () => {
    const f = new RegionFinder(160, 90, 2);
    const n = 160 * 90;
    const backing = new Uint8Array(n + 1);
    let seed = 7;
    for (let i = 0; i < backing.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      backing[i] = seed >>> 31;
    }
    const aligned = backing.slice(0, n); // offset 0: word path
    const odd = backing.subarray(1); // offset 1: byte loop
    aligned.set(odd);
    const a = new Uint32Array(f.gridW * f.gridH);
    const b = new Uint32Array(f.gridW * f.gridH);
    f.countCells(aligned, a);
    f.countCells(odd, b);
    expect([...a]).toEqual([...b]);
    expect(a.reduce((x, y) => x + y, 0)).toBe(odd.reduce((x, y) => x + y, 0));
  });

  it("merges a U shape whose arms only meet at the bottom", () => {
    const f = finder();
    expect(f.find(cellsOf(["9..9....", "9..9....", "9999....", "........"]), 2, 1)).toBe(1);
  });
});
