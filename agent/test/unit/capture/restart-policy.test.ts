import { describe, expect, it } from "vitest";
import { RestartPolicy } from "../../../src/capture/index.js";

const S = 1_000;
const MIN = 60_000;

describe("RestartPolicy", () => {
  it("steps through 1, 2, 5, 10, 30 s and stays at 30 s", () => {
    const p = new RestartPolicy({ maxRestarts: 100 });
    const delays = Array.from({ length: 7 }, (_, i) => p.failed(i * MIN).delayMs);
    expect(delays).toEqual([1, 2, 5, 10, 30, 30, 30].map((s) => s * S));
  });

  it("goes back to the first step after a stable minute online", () => {
    const p = new RestartPolicy();
    p.failed(0);
    p.failed(10 * S);
    p.online(20 * S);
    expect(p.failed(79 * S).delayMs).toBe(5 * S); // online 59 s: not stable yet
    p.online(90 * S);
    expect(p.failed(150 * S).delayMs).toBe(1 * S); // online 60 s: stable
    expect(p.failed(152 * S).delayMs).toBe(2 * S);
  });

  it("a failure before coming online never counts as stable", () => {
    const p = new RestartPolicy();
    p.failed(0);
    expect(p.failed(10 * MIN).delayMs).toBe(2 * S);
  });

  it("reports too many restarts in the window, retrying at the slowest step", () => {
    const p = new RestartPolicy({ maxRestarts: 3, windowMs: 5 * MIN });
    const d = [0, 1, 2, 3].map((m) => p.failed(m * S));
    expect(d.map((x) => x.tooMany)).toEqual([false, false, false, true]);
    expect(d[3]).toEqual({ delayMs: 30 * S, tooMany: true, recent: 4 });
    // Old failures leave the window: no longer "too many".
    const later = p.failed(5 * MIN + 3 * S);
    expect(later).toMatchObject({ tooMany: false, recent: 1 });
  });
});
