import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../../src/cloud/reconnect-backoff.js";

describe("reconnectDelay", () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [5, 30_000],
    [6, 30_000],
    [1_000, 30_000],
  ])("attempt %i waits %i ms by default (no jitter drawn)", (attempt, ms) => {
    expect(reconnectDelay(attempt, {}, () => 0)).toBe(ms);
  });

  it("takes at most the jitter fraction off", () => {
    expect(reconnectDelay(0, {}, () => 0.999_999)).toBe(800);
    expect(reconnectDelay(5, { jitter: 0.5 }, () => 0.5)).toBe(22_500);
  });

  it("honours custom bounds and never goes below the first delay's floor or above the cap", () => {
    expect(reconnectDelay(0, { initialMs: 50, maxMs: 400, jitter: 0 })).toBe(50);
    expect(reconnectDelay(3, { initialMs: 50, maxMs: 400, jitter: 0 })).toBe(400);
    expect(reconnectDelay(10, { initialMs: 50, maxMs: 400, jitter: 0 })).toBe(400);
    // A cap below the first delay is raised to it.
    expect(reconnectDelay(4, { initialMs: 500, maxMs: 100, jitter: 0 })).toBe(500);
    expect(reconnectDelay(-3, { jitter: 0 })).toBe(1_000);
  });
});
