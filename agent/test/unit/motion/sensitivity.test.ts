import { describe, expect, it } from "vitest";
import { DEFAULT_SENSITIVITY, sensitivityParams } from "../../../src/motion/sensitivity.js";

describe("sensitivityParams", () => {
  it.each([
    { s: 1, pixelThreshold: 40, noiseMultiplierQ2: 24, minAreaFraction: 0.02 },
    { s: 20, pixelThreshold: 26, noiseMultiplierQ2: 22, minAreaFraction: 0.00826 },
    { s: 40, pixelThreshold: 16, noiseMultiplierQ2: 19, minAreaFraction: 0.00326 },
    { s: 60, pixelThreshold: 10, noiseMultiplierQ2: 17, minAreaFraction: 0.00129 },
    { s: 80, pixelThreshold: 6, noiseMultiplierQ2: 14, minAreaFraction: 0.000507 },
    { s: 100, pixelThreshold: 4, noiseMultiplierQ2: 12, minAreaFraction: 0.0002 },
  ])("sensitivity $s -> threshold $pixelThreshold, k $noiseMultiplierQ2/4, area $minAreaFraction", (row) => {
    expect(sensitivityParams(row.s)).toEqual({
      sensitivity: row.s,
      pixelThreshold: row.pixelThreshold,
      noiseMultiplierQ2: row.noiseMultiplierQ2,
      minAreaFraction: row.minAreaFraction,
      lightChangeFraction: 0.4,
      lightOffset: 24,
    });
  });

  it.each([
    { input: undefined, used: DEFAULT_SENSITIVITY },
    { input: 0, used: 1 },
    { input: -5, used: 1 },
    { input: 250, used: 100 },
    { input: 59.6, used: 60 },
    { input: Number.NaN, used: DEFAULT_SENSITIVITY },
    { input: Number.POSITIVE_INFINITY, used: DEFAULT_SENSITIVITY },
  ])("clamps and rounds $input to $used", ({ input, used }) => {
    expect(sensitivityParams(input).sensitivity).toBe(used);
    expect(sensitivityParams(input)).toEqual(sensitivityParams(used));
  });

  it("gets monotonically more sensitive from 1 to 100", () => {
    for (let s = 2; s <= 100; s++) {
      const prev = sensitivityParams(s - 1);
      const cur = sensitivityParams(s);
      expect(cur.pixelThreshold).toBeLessThanOrEqual(prev.pixelThreshold);
      expect(cur.noiseMultiplierQ2).toBeLessThanOrEqual(prev.noiseMultiplierQ2);
      expect(cur.minAreaFraction).toBeLessThan(prev.minAreaFraction);
      expect(Number.isInteger(cur.pixelThreshold) && Number.isInteger(cur.noiseMultiplierQ2)).toBe(true);
    }
  });
});
