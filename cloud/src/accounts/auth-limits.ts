import { ApiError } from "@homecam/shared";
import { type RateLimiter, type RateRule, type TakenSlots, takeAll } from "../security/rate-limit.js";

// Attempt limits of the account endpoints, checked BEFORE any password hash or code comparison:
// each scrypt costs ~0.4 s of CPU, so unchecked login attempts are a denial of service as much as a
// guessing attack (security note §2.4). Keys are the account (e-mail or user id) and the client IP.
// "Failure" limits take a slot per attempt and give it back when the attempt succeeds, so
// concurrent guesses cannot overshoot and legitimate sign-ins never count.

const MIN = 60_000;

export const DEFAULT_AUTH_LIMITS = {
  /** Wrong passwords per account: the 6th try within 15 min answers 429 (ASVS 6.3.1). */
  loginAccount: { limit: 5, windowMs: 15 * MIN },
  /** Wrong passwords per IP, over all accounts (credential stuffing from one address). */
  loginIp: { limit: 20, windowMs: 15 * MIN },
  registerAccount: { limit: 3, windowMs: 60 * MIN },
  registerIp: { limit: 10, windowMs: 60 * MIN },
  /** Reset e-mails per address (mail bombing) and per IP. */
  forgotAccount: { limit: 3, windowMs: 15 * MIN },
  forgotIp: { limit: 10, windowMs: 15 * MIN },
  /** Wrong reset codes (the per-code and per-day caps of OneTimeCodes apply as well). */
  resetAccount: { limit: 5, windowMs: 15 * MIN },
  resetIp: { limit: 20, windowMs: 15 * MIN },
  /** Wrong verification codes. */
  verifyAccount: { limit: 5, windowMs: 15 * MIN },
  verifyIp: { limit: 20, windowMs: 15 * MIN },
  /** New verification codes sent per account. */
  sendCodeAccount: { limit: 3, windowMs: 15 * MIN },
  /** Wrong current passwords on password change. */
  passwordAccount: { limit: 5, windowMs: 15 * MIN },
  googleIp: { limit: 30, windowMs: 15 * MIN },
} satisfies Record<string, RateRule>;

export type AuthLimitName = keyof typeof DEFAULT_AUTH_LIMITS;
export type AuthLimitRules = Record<AuthLimitName, RateRule>;

/** 429 with the delay the route turns into a `Retry-After` header. */
export class RateLimitedError extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super("E_RATE_LIMITED", `too many attempts: retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

export type { TakenSlots } from "../security/rate-limit.js";

export class AuthLimits {
  constructor(
    private readonly limiter: RateLimiter,
    readonly rules: AuthLimitRules,
  ) {}

  /** Take one slot of every `[limit, key]`, or none: throws RateLimitedError when one is full. */
  async take(checks: ReadonlyArray<readonly [AuthLimitName, string]>): Promise<TakenSlots> {
    return takeAll(
      this.limiter,
      checks.map(([name, value]) => [`${name}:${value}`, this.rules[name]] as const),
      (retryAfterMs) => new RateLimitedError(Math.ceil(retryAfterMs / 1000)),
    );
  }
}
