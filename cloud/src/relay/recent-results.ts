import type { ErrorCode } from "@homecam/shared";

/** A device's settled answer to a command. */
export type CommandOutcome = { ok: true; data: unknown } | { ok: false; code: ErrorCode; message: string };

/**
 * Recently finished commands by key, kept `ttlMs` and at most `max` of them (the oldest go
 * first): a repeated request id is answered from here instead of being executed again.
 */
export class RecentResults {
  private readonly entries = new Map<string, { outcome: CommandOutcome; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  get(key: string): CommandOutcome | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  set(key: string, outcome: CommandOutcome): void {
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { outcome, at: now });
    // Insertion order is age order: drop from the front while over the cap or expired.
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.max && now - entry.at <= this.ttlMs) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
