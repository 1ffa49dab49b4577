import { RateLimitedError } from "../accounts/auth-limits.js";
import { type RateLimiter, type RateRule, type TakenSlots, takeAll } from "../security/rate-limit.js";

// Rate limits of pairing. A typed PIN (no pairing id) is a guess among the 10^6 PINs of every live
// session at once, so it is limited per account, per client IP and over the whole deployment: an
// attacker with many accounts and addresses still cannot sweep the PIN space inside the sessions'
// 10 minutes. The QR path needs no such limit: its pairing id is a 256-bit secret and each
// session burns after 5 wrong PINs. Generating and inviting are limited so one device or user
// cannot fill the PIN space with open sessions.

const MIN = 60_000;

export const DEFAULT_PAIRING_LIMITS = {
  /** Typed PINs (validate or establish without a pairing id) that matched nothing, per account. */
  typedAccount: { limit: 10, windowMs: 15 * MIN },
  /** The same per client IP, over all accounts. */
  typedIp: { limit: 20, windowMs: 15 * MIN },
  /** The same over the whole deployment (one shared key). */
  typedGlobal: { limit: 300, windowMs: MIN },
  /** `POST /api/qr/generate` per device. */
  generateDevice: { limit: 10, windowMs: MIN },
  /** `POST /api/devices/:id/invites` per user. */
  inviteUser: { limit: 20, windowMs: 60 * MIN },
} satisfies Record<string, RateRule>;

export type PairingLimitName = keyof typeof DEFAULT_PAIRING_LIMITS;
export type PairingLimitRules = Record<PairingLimitName, RateRule>;

/** The limiter key of one rule and value (e.g. `pairing.typedIp:203.0.113.7`). */
export function pairingLimitKey(name: PairingLimitName, value: string): string {
  return `pairing.${name}:${value}`;
}

/** Slots taken by {@link PairingLimits.take}; `refund()` when the attempt turned out legitimate. */
export type PairingSlots = TakenSlots;

/** Applies {@link DEFAULT_PAIRING_LIMITS} (or injected rules) through a {@link RateLimiter}. */
export class PairingLimits {
  constructor(
    private readonly limiter: RateLimiter,
    readonly rules: PairingLimitRules = DEFAULT_PAIRING_LIMITS,
  ) {}

  /**
   * Take one slot of every `[limit, key]`, or none: throws {@link RateLimitedError} (429, with the
   * delay for `Retry-After`) when one is full, after giving back the slots already taken.
   */
  async take(checks: ReadonlyArray<readonly [PairingLimitName, string]>): Promise<PairingSlots> {
    return takeAll(
      this.limiter,
      checks.map(([name, value]) => [pairingLimitKey(name, value), this.rules[name]] as const),
      (retryAfterMs) => new RateLimitedError(Math.ceil(retryAfterMs / 1000)),
    );
  }
}
