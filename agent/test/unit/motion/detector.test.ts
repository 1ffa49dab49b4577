import { describe, expect, it } from "vitest";
import { DEFAULT_WARMUP_FRAMES, MotionDetector } from "../../../src/motion/detector.js";
import type { Box, Zone } from "../../../src/motion/types.js";
import { type FrameSpec, motionFrames, type Rect, run, Scene } from "./synth.js";

const W = 320;
const H = 180;
const SIZE = { width: W, height: H };
const AFTER_WARMUP = DEFAULT_WARMUP_FRAMES + 1;

/** A 24x24 bright square crossing the frame left to right on row 80, from frame `from`. */
const square = (i: number, from = 40, value = 230): Rect[] =>
  i < from ? [] : [{ x: 10 + (i - from) * 4, y: 80, w: 24, h: 24, value }];

const contains = (b: Box, x: number, y: number): boolean =>
  x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;

describe("MotionDetector", () => {
  it("reports nothing on a static scene", () => {
    const results = run(SIZE, new Scene(W, H), 120, () => ({ noise: 1 }));
    expect(motionFrames(results)).toEqual([]);
    expect(results.every((r) => r.boxes.length === 0 && r.score === 0 && !r.rebased)).toBe(true);
  });

  it("reports nothing on a blank (flat) scene", () => {
    const results = run(SIZE, new Scene(W, H, { flat: 90 }), 120, () => ({ noise: 2 }));
    expect(motionFrames(results)).toEqual([]);
  });

  it("ignores heavy Gaussian sensor noise", () => {
    const results = run(SIZE, new Scene(W, H, { seed: 7 }), 200, () => ({ noise: 12 }));
    expect(motionFrames(results)).toEqual([]);
  });

  it("finds a moving square and boxes it", () => {
    const from = 40;
    const results = run(SIZE, new Scene(W, H), 110, (i) => ({ rects: square(i, from) }));
    const hits = motionFrames(results);
    expect(hits.every((i) => i >= from)).toBe(true);
    // Every frame with the square in view fires (the very first one too: it appears abruptly).
    expect(hits.length).toBeGreaterThanOrEqual(110 - from - 1);
    for (const i of hits) {
      const r = results[i]!;
      const cx = (10 + (i - from) * 4 + 12) / W;
      const cy = (80 + 12) / H;
      expect(r.boxes[0], `frame ${i}`).toBeDefined();
      expect(contains(r.boxes[0]!, cx, cy), `frame ${i}`).toBe(true);
      // Tight to within a few cells: the square plus its trail, not the whole frame.
      expect(r.boxes[0]!.w).toBeLessThan(0.2);
      expect(r.boxes[0]!.h).toBeLessThan(0.25);
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it("absorbs an object that arrives and stays, instead of firing forever", () => {
    const parked = (i: number): Rect[] => (i < 40 ? [] : [{ x: 100, y: 60, w: 40, h: 30, value: 240 }]);
    const hits = motionFrames(run(SIZE, new Scene(W, H), 250, (i) => ({ rects: parked(i) })));
    expect(hits[0]).toBe(40);
    // Fires while it is new, then its pixels' deviation catches up and the background learns it.
    expect(hits.at(-1)!).toBeLessThan(150);
  });

  it("does not fire during warm-up even with motion from the first frame", () => {
    const results = run(SIZE, new Scene(W, H), AFTER_WARMUP + 20, (i) => ({ rects: square(i, 0) }));
    expect(motionFrames(results).every((i) => i >= AFTER_WARMUP - 1)).toBe(true);
    expect(results.at(-1)!.motion).toBe(true);
  });

  it("re-bases on a global brightness step instead of firing", () => {
    const results = run(SIZE, new Scene(W, H), 120, (i) => ({ offset: i >= 60 && i < 90 ? 40 : 0 }));
    expect(motionFrames(results)).toEqual([]);
    expect(results[60]!.rebased).toBe(true);
    expect(results[90]!.rebased).toBe(true);
    expect(results.filter((r) => r.rebased)).toHaveLength(2);
    expect(results[60]!.changedFraction).toBeGreaterThan(0.9);
  });

  it("re-bases on a contrast (gain) change, which is not a uniform shift", () => {
    const results = run(SIZE, new Scene(W, H), 100, (i) => ({ gain: i >= 50 ? 1.6 : 1 }));
    expect(motionFrames(results)).toEqual([]);
    expect(results.some((r) => r.rebased)).toBe(true);
  });

  it("follows a slow brightness ramp without firing", () => {
    const results = run(SIZE, new Scene(W, H), 200, (i) => ({ offset: i < 40 ? 0 : (i - 40) * 0.4 }));
    expect(motionFrames(results)).toEqual([]);
  });

  it("still sees an object that arrives during a brightness ramp", () => {
    const results = run(SIZE, new Scene(W, H), 120, (i) => ({
      offset: i < 40 ? 0 : (i - 40) * 0.25,
      rects: square(i, 80, 250),
    }));
    const hits = motionFrames(results);
    expect(hits.length).toBeGreaterThan(30);
    expect(hits.every((i) => i >= 80)).toBe(true);
  });

  describe("per-pixel variance", () => {
    const patch = { x: 200, y: 30, w: 60, h: 50 };
    const inPatch = (x: number, y: number) =>
      x >= patch.x && x < patch.x + patch.w && y >= patch.y && y < patch.y + patch.h;
    // Flicker: a checkerboard of 2x2 blocks whose phase flips every frame (leaves in the wind, a
    // shimmering surface): +-35 levels per pixel per frame.
    const flicker =
      (i: number): FrameSpec["paint"] =>
      (x, y, v) =>
        inPatch(x, y) ? v + ((((x >> 1) + (y >> 1) + i) & 1) === 0 ? 35 : -35) : v;
    // Sway: a high-contrast stripe texture shifting +-3 px sinusoidally.
    const sway =
      (i: number): FrameSpec["paint"] =>
      (x, y, v) =>
        inPatch(x, y) ? 100 + 80 * Math.sign(Math.sin((x + 3 * Math.sin(i * 0.8)) / 2 + y / 5)) : v;

    it("suppresses a flickering patch after warm-up", () => {
      const results = run(SIZE, new Scene(W, H), 200, (i) => ({ paint: flicker(i) }));
      expect(motionFrames(results)).toEqual([]);
    });

    it("suppresses a swaying textured patch after warm-up", () => {
      const results = run(SIZE, new Scene(W, H), 200, (i) => ({ paint: sway(i) }));
      expect(motionFrames(results)).toEqual([]);
    });

    it("still detects an object elsewhere while the patch flickers", () => {
      const results = run(SIZE, new Scene(W, H), 140, (i) => ({ paint: flicker(i), rects: square(i, 100) }));
      const hits = motionFrames(results);
      expect(hits.length).toBeGreaterThanOrEqual(38);
      expect(hits.every((i) => i >= 100)).toBe(true);
    });
  });

  describe("zones", () => {
    // The square's path: x 10..~300, y 80..104.
    const overPath: Zone = {
      mode: "exclude",
      points: [
        [0, 0.35],
        [1, 0.35],
        [1, 0.65],
        [0, 0.65],
      ],
    };

    it("ignores motion inside an exclude zone", () => {
      const results = run({ ...SIZE, zones: [overPath] }, new Scene(W, H), 110, (i) => ({
        rects: square(i),
      }));
      expect(motionFrames(results)).toEqual([]);
    });

    it("watches only include zones when there are any", () => {
      const left: Zone = {
        name: "left",
        mode: "include",
        points: [
          [0, 0],
          [0.5, 0],
          [0.5, 1],
          [0, 1],
        ],
      };
      const from = 40;
      const results = run({ ...SIZE, zones: [left] }, new Scene(W, H), 110, (i) => ({
        rects: square(i, from),
      }));
      const hits = motionFrames(results);
      expect(hits.length).toBeGreaterThan(20);
      // The square's left edge passes x = 160 (0.5) at frame from + 37.5: nothing fires after it
      // has fully left the zone, and every box stays inside the zone.
      expect(hits.every((i) => 10 + (i - from) * 4 < 165)).toBe(true);
      for (const i of hits) expect(results[i]!.boxes.every((b) => b.x < 0.5)).toBe(true);
    });

    it("never fires when the zones exclude everything", () => {
      const all: Zone = {
        mode: "exclude",
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      };
      const det = new MotionDetector({ ...SIZE, zones: [all] });
      expect(det.activePixels).toBe(0);
      const scene = new Scene(W, H);
      for (let i = 0; i < 80; i++)
        expect(det.process(scene.frame({ rects: square(i, 30) }), i).motion).toBe(false);
    });
  });

  it("maps sensitivity: a faint small object fires at 100, not at 1", () => {
    const faint = (i: number): Rect[] =>
      i < 40 ? [] : [{ x: 20 + (i - 40) * 3, y: 60, w: 14, h: 14, value: 150 }];
    const scene = () => new Scene(W, H, { flat: 130 });
    const hi = motionFrames(run({ ...SIZE, sensitivity: 100 }, scene(), 90, (i) => ({ rects: faint(i) })));
    const lo = motionFrames(run({ ...SIZE, sensitivity: 1 }, scene(), 90, (i) => ({ rects: faint(i) })));
    expect(hi.length).toBeGreaterThan(40);
    expect(lo).toEqual([]);
  });

  it("honours minAreaFraction", () => {
    const small = (i: number): Rect[] =>
      i < 40 ? [] : [{ x: 20 + (i - 40) * 4, y: 60, w: 12, h: 12, value: 240 }];
    const dflt = motionFrames(run(SIZE, new Scene(W, H), 80, (i) => ({ rects: small(i) })));
    const big = motionFrames(
      run({ ...SIZE, minAreaFraction: 0.05 }, new Scene(W, H), 80, (i) => ({ rects: small(i) })),
    );
    expect(dflt.length).toBeGreaterThan(30);
    expect(big).toEqual([]);
  });

  it("works at full resolution below 256 px wide", () => {
    const det = new MotionDetector({ width: 160, height: 90 });
    expect(det.analysisWidth).toBe(160);
    const scene = new Scene(160, 90);
    const hits: number[] = [];
    for (let i = 0; i < 80; i++) {
      const rects = i < 40 ? [] : [{ x: 5 + (i - 40) * 3, y: 40, w: 12, h: 12, value: 230 }];
      if (det.process(scene.frame({ rects }), i * 100).motion) hits.push(i);
    }
    expect(hits.length).toBeGreaterThan(35);
    expect(hits.every((i) => i >= 40)).toBe(true);
  });

  it("halves the analysis size from 256 px wide, and handles odd sizes", () => {
    const det = new MotionDetector({ width: 321, height: 181 });
    expect([det.analysisWidth, det.analysisHeight]).toEqual([160, 90]);
    const scene = new Scene(321, 181);
    let last = det.process(scene.frame(), 0);
    for (let i = 1; i < 60; i++) last = det.process(scene.frame({ rects: square(i, 40) }), i * 100);
    expect(last.motion).toBe(true);
  });

  it("validates its input", () => {
    expect(() => new MotionDetector({ width: 4, height: 4 })).toThrow(RangeError);
    expect(() => new MotionDetector({ width: 320.5, height: 180 })).toThrow(RangeError);
    expect(() => new MotionDetector(SIZE).process(new Uint8Array(10), 0)).toThrow(RangeError);
  });

  it("starts learning again after reset()", () => {
    const det = new MotionDetector(SIZE);
    const scene = new Scene(W, H);
    for (let i = 0; i < 60; i++) det.process(scene.frame(), i * 100);
    det.reset();
    // Right after a reset even a big change is learnt, not reported.
    const r = det.process(scene.frame({ rects: [{ x: 0, y: 0, w: 100, h: 100, value: 255 }] }), 6000);
    expect(r.motion).toBe(false);
  });
});
