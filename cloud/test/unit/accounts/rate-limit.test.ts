import { describe, expect, it } from "vitest";
import { AuthLimits, RateLimitedError } from "../../../src/accounts/auth-limits.js";
import { MemoryRateLimiter } from "../../../src/security/rate-limit.js";

function clock(t = 1_000_000) {
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

const rule = { limit: 3, windowMs: 60_000 };

describe("MemoryRateLimiter", () => {
  it("allows `limit` hits per window, then tells when to retry", async () => {
    const c = clock();
    const rl = new MemoryRateLimiter(c);
    for (let i = 0; i < 3; i++) {
      expect(await rl.take("k", rule)).toEqual({ allowed: true });
      c.advance(10_000);
    }
    // Hits at 0, 10 s, 20 s; now 30 s: the first leaves the window at 60 s.
    expect(await rl.take("k", rule)).toEqual({ allowed: false, retryAfterMs: 30_000 });
    c.advance(29_999);
    expect((await rl.take("k", rule)).allowed).toBe(false);
    c.advance(1);
    expect((await rl.take("k", rule)).allowed).toBe(true);
  });

  it("slides: no burst of twice the limit across a window edge", async () => {
    const c = clock();
    const rl = new MemoryRateLimiter(c);
    c.advance(59_000);
    for (let i = 0; i < 3; i++) expect((await rl.take("k", rule)).allowed).toBe(true);
    c.advance(2_000);
    expect((await rl.take("k", rule)).allowed).toBe(false);
  });

  it("does not count refused hits, and refund gives a slot back", async () => {
    const c = clock();
    const rl = new MemoryRateLimiter(c);
    for (let i = 0; i < 3; i++) await rl.take("k", rule);
    for (let i = 0; i < 10; i++) expect((await rl.take("k", rule)).allowed).toBe(false);
    await rl.refund("k", rule);
    expect((await rl.take("k", rule)).allowed).toBe(true);
    expect((await rl.take("k", rule)).allowed).toBe(false);
  });

  it("keys are independent, reset forgets one", async () => {
    const rl = new MemoryRateLimiter(clock());
    for (let i = 0; i < 3; i++) await rl.take("a", rule);
    expect((await rl.take("b", rule)).allowed).toBe(true);
    await rl.reset("a");
    expect((await rl.take("a", rule)).allowed).toBe(true);
  });

  it("holds at most maxKeys keys, dropping the least recently used", async () => {
    const rl = new MemoryRateLimiter(clock(), 100);
    for (let i = 0; i < 1000; i++) await rl.take(`k${i}`, rule);
    expect(rl.size).toBe(100);
  });
});

describe("AuthLimits", () => {
  it("takes every slot or none, and throws 429 with the refused rule's delay in whole seconds", async () => {
    const c = clock();
    const rl = new MemoryRateLimiter(c);
    const limits = new AuthLimits(rl, {
      ...Object.fromEntries(
        ["loginAccount", "loginIp"].map((n) => [n, n === "loginIp" ? { limit: 1, windowMs: 90_500 } : rule]),
      ),
    } as never);
    await limits.take([
      ["loginAccount", "a@x"],
      ["loginIp", "1.2.3.4"],
    ]);
    const err = await limits
      .take([
        ["loginAccount", "a@x"],
        ["loginIp", "1.2.3.4"],
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(91);
    expect((err as RateLimitedError).status).toBe(429);
    // The account slot taken before the IP refused was given back: 1 used of 3, not 2.
    await limits.take([["loginAccount", "a@x"]]);
    await limits.take([["loginAccount", "a@x"]]);
    await expect(limits.take([["loginAccount", "a@x"]])).rejects.toBeInstanceOf(RateLimitedError);
  });
});
