import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { Clock } from "../security/clock.js";

// 6-digit e-mail codes (ASVS 5.0 6.4.1, 6.5.1, 6.5.4, 6.5.5, 6.6.3):
// - CSPRNG (crypto.randomInt), 10^6 values, 10 minutes, single use, one purpose per code.
// - At most 5 tries per code: a try is reserved by a conditional UPDATE *before* the comparison, so
//   even concurrent guesses cannot exceed it, and the sixth try fails with the right code.
// - At most 10 failures per account per 24 h across all codes: a fresh code does not reset the
//   budget (security note §1.2: 10/day ≈ 0.36 %/year for an attacker, vs 58 % at 100/hour).
// - A new code supersedes the previous one of the same purpose.
// - Stored as HMAC-SHA256 under a server secret kept outside the database (<stateDir>/keys), over
//   code id ‖ purpose ‖ code. ASVS 6.5.2 asks for a slow salted hash of short secrets; that cannot
//   protect 10^6 values offline anyway (any hash falls in seconds), and would make every try cost a
//   scrypt. The keyed HMAC is the reasoned deviation: a database dump alone reveals no code, and
//   the row id and purpose in the MAC mean a hash can never be replayed for another code or purpose.

export type CodePurpose = "verify_email" | "reset_password";

export interface OneTimeCodeOptions {
  clock: Clock;
  /** HMAC key (32 random bytes). */
  secret: Buffer;
  ttlMs?: number;
  maxAttempts?: number;
  maxDailyFailures?: number;
}

export type CodeCheck =
  | { ok: true; email: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "daily_limit"; retryAfterMs: number };

const DAY_MS = 86_400_000;

export class OneTimeCodes {
  readonly ttlMs: number;
  private readonly maxAttempts: number;
  private readonly maxDailyFailures: number;

  constructor(
    private readonly db: Kysely<CloudDatabase>,
    private readonly opts: OneTimeCodeOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.maxDailyFailures = opts.maxDailyFailures ?? 10;
  }

  /** A new code for `purpose`, sent to `email`; the previous one of that purpose stops working. */
  async issue(
    userId: string,
    email: string,
    purpose: CodePurpose,
  ): Promise<{ code: string; expiresAt: number }> {
    const now = this.opts.clock.now();
    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const expiresAt = now + this.ttlMs;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("email_codes")
        .set({ superseded_at: now })
        .where("user_id", "=", userId)
        .where("purpose", "=", purpose)
        .where("consumed_at", "is", null)
        .where("superseded_at", "is", null)
        .execute();
      // Older than the failure window: nothing needs them any more.
      await trx
        .deleteFrom("email_codes")
        .where("user_id", "=", userId)
        .where("created_at", "<", now - DAY_MS)
        .execute();
      await trx
        .insertInto("email_codes")
        .values({
          id,
          user_id: userId,
          purpose,
          email,
          code_hash: this.mac(id, purpose, code),
          attempts: 0,
          failures: 0,
          created_at: now,
          expires_at: expiresAt,
          consumed_at: null,
          superseded_at: null,
        })
        .execute();
    });
    return { code, expiresAt };
  }

  /** Check and, when right, consume the current code of `purpose`. */
  async check(userId: string, purpose: CodePurpose, code: string): Promise<CodeCheck> {
    const now = this.opts.clock.now();
    const limited = await this.dailyLimit(userId, now);
    if (limited) return limited;
    const row = await this.active(userId, purpose, now);
    if (!row) return { ok: false, reason: "invalid" };
    const reserved = await this.db
      .updateTable("email_codes")
      .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
      .where("id", "=", row.id)
      .where("attempts", "<", this.maxAttempts)
      .where("consumed_at", "is", null)
      .where("superseded_at", "is", null)
      .executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1) return { ok: false, reason: "invalid" };
    const expected = Buffer.from(row.code_hash, "hex");
    const given = Buffer.from(this.mac(row.id, purpose, code), "hex");
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await this.db
        .updateTable("email_codes")
        .set((eb) => ({ failures: eb("failures", "+", 1) }))
        .where("id", "=", row.id)
        .execute();
      return { ok: false, reason: "invalid" };
    }
    const consumed = await this.db
      .updateTable("email_codes")
      .set({ consumed_at: now })
      .where("id", "=", row.id)
      .where("consumed_at", "is", null)
      .where("superseded_at", "is", null)
      .executeTakeFirst();
    if (Number(consumed.numUpdatedRows) !== 1) return { ok: false, reason: "invalid" };
    return { ok: true, email: row.email };
  }

  /** Expiry of the usable code of `purpose`, or null. */
  async pending(userId: string, purpose: CodePurpose): Promise<{ expiresAt: number } | null> {
    const row = await this.active(userId, purpose, this.opts.clock.now());
    return row && row.attempts < this.maxAttempts ? { expiresAt: row.expires_at } : null;
  }

  private active(userId: string, purpose: CodePurpose, now: number) {
    return this.db
      .selectFrom("email_codes")
      .select(["id", "email", "code_hash", "attempts", "expires_at"])
      .where("user_id", "=", userId)
      .where("purpose", "=", purpose)
      .where("consumed_at", "is", null)
      .where("superseded_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  private async dailyLimit(userId: string, now: number): Promise<CodeCheck | null> {
    const rows = await this.db
      .selectFrom("email_codes")
      .select(["failures", "created_at"])
      .where("user_id", "=", userId)
      .where("created_at", ">", now - DAY_MS)
      .where("failures", ">", 0)
      .orderBy("created_at", "asc")
      .execute();
    let total = rows.reduce((sum, r) => sum + r.failures, 0);
    if (total < this.maxDailyFailures) return null;
    // Retry once enough of the oldest failures have left the 24-hour window.
    let retryAt = now + DAY_MS;
    for (const r of rows) {
      total -= r.failures;
      if (total < this.maxDailyFailures) {
        retryAt = r.created_at + DAY_MS;
        break;
      }
    }
    return { ok: false, reason: "daily_limit", retryAfterMs: Math.max(1000, retryAt - now) };
  }

  private mac(id: string, purpose: CodePurpose, code: string): string {
    return createHmac("sha256", this.opts.secret).update(`${id}\n${purpose}\n${code}`).digest("hex");
  }
}
