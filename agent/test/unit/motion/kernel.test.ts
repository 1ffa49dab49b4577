import { describe, expect, it } from "vitest";
import { BackgroundModel, type KernelParams } from "../../../src/motion/background.js";
import { blur3x3, downsample2x2 } from "../../../src/motion/blur.js";
import { DeviationFloor, EXCLUDED } from "../../../src/motion/floor.js";

describe("blur3x3", () => {
  it("keeps a constant image and smooths an impulse with [1 2 1]^2 / 16", () => {
    const w = 5;
    const h = 5;
    const src = new Uint8Array(w * h).fill(100);
    const dst = new Uint8Array(w * h);
    const tmp = new Uint16Array(w * h);
    blur3x3(src, dst, tmp, w, h);
    expect(dst.every((v) => v === 100)).toBe(true);
    src.fill(0);
    src[12] = 160;
    blur3x3(src, dst, tmp, w, h);
    expect([...dst.subarray(5, 20)]).toEqual([0, 10, 20, 10, 0, 0, 20, 40, 20, 0, 0, 10, 20, 10, 0]);
  });

  it("replicates borders", () => {
    const src = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 160]);
    const dst = new Uint8Array(16);
    blur3x3(src, dst, new Uint16Array(16), 4, 4);
    expect(dst[15]).toBe(90); // 160 * 9/16, rounded
  });
});

describe("downsample2x2", () => {
  it("averages 2x2 blocks with rounding and drops an odd edge", () => {
    const src = Uint8Array.from([10, 20, 30, 40, 99, 30, 40, 50, 60, 99, 7, 7, 7, 7, 7]);
    const dst = new Uint8Array(2);
    downsample2x2(src, dst, 5, 3);
    expect([...dst]).toEqual([25, 45]);
  });
});

describe("BackgroundModel", () => {
  const params = (over: Partial<KernelParams> = {}): KernelParams => ({
    baseQ8: 10 << 8,
    kQ2: 16,
    offsetQ8: 0,
    bgShift: 5,
    bgShiftFg: 8,
    madShift: 5,
    madShiftFg: 8,
    ...over,
  });

  it("flags pixels over base + k * max(deviation, floor); a 255 floor is never flagged", () => {
    const m = new BackgroundModel(6, 1);
    m.reset(new Uint8Array(6).fill(100), 2); // threshold = 10 + 4 * 2 = 18 levels
    const fg = new Uint8Array(6);
    const floor = Uint8Array.from([0, 0, 0, EXCLUDED, 5, 5]); // floor 5: 10 + 4 * 5 = 30 levels
    const changed = m.update(Uint8Array.from([117, 119, 60, 255, 129, 131]), floor, params(), fg);
    expect([...fg]).toEqual([0, 1, 1, 0, 0, 1]);
    expect(changed).toBe(3);
  });

  it("never flags an excluded pixel, even at the largest difference and offset", () => {
    const m = new BackgroundModel(2, 1);
    m.reset(Uint8Array.from([0, 255]), 0);
    const fg = new Uint8Array(2);
    const floor = new Uint8Array(2).fill(EXCLUDED);
    for (const offsetQ8 of [-(12 << 8), 0, 12 << 8]) {
      m.update(Uint8Array.from([255, 0]), floor, params({ baseQ8: 1 << 8, kQ2: 4, offsetQ8 }), fg);
      expect([...fg]).toEqual([0, 0]);
    }
  });

  it("learns background pixels fast and changed pixels slowly", () => {
    const m = new BackgroundModel(2, 1);
    m.reset(Uint8Array.from([100, 100]), 0);
    m.update(Uint8Array.from([108, 200]), new Uint8Array(2), params({ baseQ8: 20 << 8 }), new Uint8Array(2));
    expect(m.bg[0]).toBe((100 << 8) + ((8 << 8) >> 5));
    expect(m.bg[1]).toBe((100 << 8) + ((100 << 8) >> 8));
    expect(m.mad[0]).toBe((8 << 8) >> 5);
    expect(m.mad[1]).toBe((100 << 8) >> 8);
  });

  it("compensates a global offset in the difference but learns the raw frame", () => {
    const m = new BackgroundModel(2, 1);
    m.reset(Uint8Array.from([100, 100]), 0);
    const fg = new Uint8Array(2);
    m.update(
      Uint8Array.from([108, 108]),
      new Uint8Array(2),
      params({ baseQ8: 4 << 8, offsetQ8: 8 << 8 }),
      fg,
    );
    expect([...fg]).toEqual([0, 0]);
    expect(m.bg[0]).toBeGreaterThan(100 << 8);
  });

  it("measures the median brightness shift, ignoring a minority of changed pixels", () => {
    const w = 64;
    const h = 64;
    const m = new BackgroundModel(w, h);
    m.reset(new Uint8Array(w * h).fill(80), 1);
    const frame = new Uint8Array(w * h).fill(95);
    frame.fill(250, 0, w * 20); // an object over the top 30 %
    expect(m.medianOffset(frame)).toBe(15);
    // Threshold 10 + 4 * 1 = 14 levels: everything differs by more without the offset removed,
    // only the object with it.
    expect(m.sampledChangedFraction(0, 10 << 8, 16)).toBe(1);
    expect(m.sampledChangedFraction(15 << 8, 10 << 8, 16)).toBeCloseTo(20 / 64, 1);
    m.rebase(frame);
    expect(m.medianOffset(frame)).toBe(0);
    expect(m.sampledChangedFraction(0, 10 << 8, 16)).toBe(0);
  });
});

describe("DeviationFloor", () => {
  it("starts as the zone mask: 0 where watched, EXCLUDED elsewhere", () => {
    const f = new DeviationFloor(Uint8Array.from([1, 0, 1, 1]), 2, 2, 2);
    expect([...f.map]).toEqual([0, EXCLUDED, 0, 0]);
  });

  it("gives cells the largest mean deviation of their 3x3 cell neighbourhood", () => {
    // 16x8 px, 4 px cells: a 4x2 grid. Cell (0,0) has a mean deviation of 40 levels.
    const w = 16;
    const h = 8;
    const watch = new Uint8Array(w * h).fill(1);
    watch[w * h - 1] = 0;
    const mad = new Uint16Array(w * h).fill(2 << 8);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) mad[y * w + x] = 40 << 8;
    const f = new DeviationFloor(watch, w, h, 2);
    f.refresh(mad);
    const at = (x: number, y: number) => f.map[y * w + x];
    expect([at(0, 0), at(5, 0), at(5, 6), at(0, 7)]).toEqual([40, 40, 40, 40]); // neighbours of (0,0)
    expect([at(8, 0), at(12, 0), at(9, 5)]).toEqual([2, 2, 2]); // too far: their own 2
    expect(at(15, 7)).toBe(EXCLUDED);
  });
});
