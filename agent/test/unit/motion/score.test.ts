import { describe, expect, it } from "vitest";
import { type Interval, scoreEvents } from "../../integration/motion/score.js";

const iv = (a: number, b: number): Interval => ({ startMs: a * 1000, endMs: b * 1000 });

describe("scoreEvents", () => {
  it.each([
    {
      name: "perfect",
      truth: [iv(1, 2), iv(10, 12)],
      det: [iv(1.2, 2), iv(10, 12.5)],
      tp: 2,
      fp: 0,
      fn: 0,
      f1: 1,
    },
    { name: "nothing expected, nothing found", truth: [], det: [], tp: 0, fp: 0, fn: 0, f1: 1 },
    { name: "false alarm only", truth: [], det: [iv(5, 6)], tp: 0, fp: 1, fn: 0, f1: 0 },
    { name: "missed", truth: [iv(1, 2)], det: [], tp: 0, fp: 0, fn: 1, f1: 0 },
    {
      name: "split costs a false positive",
      truth: [iv(0, 10)],
      det: [iv(0, 4), iv(6, 10)],
      tp: 1,
      fp: 1,
      fn: 0,
      f1: 2 / 3,
    },
    {
      name: "merge costs a false negative",
      truth: [iv(0, 2), iv(5, 7)],
      det: [iv(0, 7)],
      tp: 1,
      fp: 0,
      fn: 1,
      f1: 2 / 3,
    },
    { name: "within tolerance", truth: [iv(5, 6)], det: [iv(6.9, 8)], tp: 1, fp: 0, fn: 0, f1: 1 },
    { name: "beyond tolerance", truth: [iv(5, 6)], det: [iv(7.1, 8)], tp: 0, fp: 1, fn: 1, f1: 0 },
  ])("$name", ({ truth, det, tp, fp, fn, f1 }) => {
    const s = scoreEvents(truth, det);
    expect({ tp: s.tp, fp: s.fp, fn: s.fn }).toEqual({ tp, fp, fn });
    expect(s.f1).toBeCloseTo(f1, 6);
  });

  it("reports start latencies of matched events", () => {
    expect(scoreEvents([iv(1, 2), iv(10, 11)], [iv(1.3, 2), iv(9.8, 11)]).latenciesMs).toEqual([300, -200]);
  });
});
