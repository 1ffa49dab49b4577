import { describe, expect, it } from "vitest";
import { FpsWindow } from "../../../src/camera/fps-window.js";

function feed(w: FpsWindow, fromMs: number, toMs: number, fps: number): void {
  for (let t = fromMs; t <= toMs; t += 1000 / fps) w.push(t);
}

describe("FpsWindow", () => {
  it("measures a steady rate over the window", () => {
    const w = new FpsWindow(5_000);
    feed(w, 0, 20_000, 5);
    expect(w.rate(20_000)).toBeCloseTo(5, 5);
    expect(w.rate(20_100)).toBeCloseTo(24 / 4.9, 5);
  });

  it("needs no warm-up: two frames give a rate", () => {
    const w = new FpsWindow(5_000);
    expect(w.rate(0)).toBe(0);
    w.push(1_000);
    expect(w.rate(1_000)).toBe(0);
    w.push(1_100);
    expect(w.rate(1_100)).toBeCloseTo(10, 5);
  });

  it("falls to 0 when frames stop", () => {
    const w = new FpsWindow(5_000);
    feed(w, 0, 10_000, 10);
    const rates = [11_000, 13_000, 15_000, 16_000].map((t) => w.rate(t));
    expect(rates[0]).toBeGreaterThan(rates[1]!);
    expect(rates[1]).toBeGreaterThan(rates[2]!);
    expect(rates[3]).toBe(0);
  });

  it("follows a rate change and forgets everything on reset", () => {
    const w = new FpsWindow(2_000);
    feed(w, 0, 10_000, 10);
    feed(w, 10_200, 20_000, 5);
    expect(w.rate(20_000)).toBeCloseTo(5, 1);
    w.reset();
    expect(w.rate(20_000)).toBe(0);
  });

  it("stays bounded when more frames arrive than it keeps", () => {
    const w = new FpsWindow(5_000, 16);
    feed(w, 0, 5_000, 30);
    // Only the newest 16 frames are kept: the rate is measured over them, still about right.
    expect(w.rate(5_000)).toBeGreaterThan(25);
    expect(w.rate(5_000)).toBeLessThanOrEqual(31);
  });

  it("rejects a useless window", () => {
    expect(() => new FpsWindow(0)).toThrow(RangeError);
    expect(() => new FpsWindow(1000, 1)).toThrow(RangeError);
  });
});
