import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../../src/accounts/auth-limits.js";
import {
  DEFAULT_PAIRING_LIMITS,
  PairingLimits,
  pairingLimitKey,
} from "../../../src/pairing/pairing-limits.js";
import { MemoryRateLimiter } from "../../../src/security/rate-limit.js";

const MIN = 60_000;

function setup() {
  const clock = { t: 1_000_000 };
  const limiter = new MemoryRateLimiter({ now: () => clock.t });
  const limits = new PairingLimits(limiter, {
    ...DEFAULT_PAIRING_LIMITS,
    typedAccount: { limit: 2, windowMs: 15 * MIN },
    typedIp: { limit: 3, windowMs: 15 * MIN },
  });
  return { clock, limiter, limits };
}

describe("PairingLimits", () => {
  it("takes a slot of every rule, and refuses with the delay until the oldest hit leaves the window", async () => {
    const { clock, limits } = setup();
    await limits.take([["typedAccount", "u1"]]);
    clock.t += MIN;
    await limits.take([["typedAccount", "u1"]]);
    const err = await limits.take([["typedAccount", "u1"]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).code).toBe("E_RATE_LIMITED");
    expect((err as RateLimitedError).retryAfterSeconds).toBe(14 * 60);
    await limits.take([["typedAccount", "u2"]]);
  });

  it("takes all slots or none: a full rule gives back the slots taken before it", async () => {
    const { limiter, limits } = setup();
    await limits.take([["typedAccount", "u1"]]);
    await limits.take([["typedAccount", "u1"]]);
    // typedIp is taken first, then typedAccount refuses: the IP slot must be returned.
    await expect(
      limits.take([
        ["typedIp", "ip"],
        ["typedAccount", "u1"],
      ]),
    ).rejects.toBeInstanceOf(RateLimitedError);
    for (let i = 0; i < 3; i++) {
      const d = await limiter.take(pairingLimitKey("typedIp", "ip"), { limit: 3, windowMs: 15 * MIN });
      expect(d.allowed).toBe(true);
    }
  });

  it("refund gives the slots back (a hit that turned out legitimate)", async () => {
    const { limits } = setup();
    for (let i = 0; i < 5; i++) {
      const slots = await limits.take([
        ["typedAccount", "u1"],
        ["typedIp", "ip"],
      ]);
      await slots.refund();
    }
    await limits.take([["typedAccount", "u1"]]);
  });

  it("keys rules apart: the same value under two rules is two budgets", () => {
    expect(pairingLimitKey("typedAccount", "x")).not.toBe(pairingLimitKey("typedIp", "x"));
  });
});
