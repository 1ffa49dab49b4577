import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { Clock } from "../security/clock.js";

// Refresh tokens (RFC 9700 §4.14.2, ASVS 5.0 10.4.5/10.4.8): opaque 256-bit random strings, stored
// as SHA-256 (256 random bits need no slow hash; equality lookup stays one index probe). Every use
// rotates the token; the family (one sign-in session, the access token's `sid`) remembers every
// rotated token, so a rotated token presented again after the grace window reveals that two parties
// hold it, and the whole family is revoked — the attacker's newest token and the victim's alike.

export interface RefreshTokenOptions {
  clock: Clock;
  log: Logger;
  /** Idle lifetime of one token. */
  ttlMs: number;
  /** Hard maximum lifetime of a family, however often it is refreshed. */
  maxLifetimeMs: number;
  /**
   * A token rotated less than this long ago may be exchanged again (two tabs refreshing with the
   * same token, a response lost on a flaky network): it yields a sibling token instead of revoking.
   */
  graceMs: number;
}

/** A refresh token as handed to the client. */
export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  userId: string;
  expiresAt: number;
}

export type RotateResult =
  | ({ ok: true } & IssuedRefreshToken)
  | { ok: false; reason: "unknown" | "expired" | "revoked" | "reused"; familyId?: string; userId?: string };

const PREFIX = "hcr_";
const PRUNE_EVERY_MS = 10 * 60_000;

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export class RefreshTokenStore {
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<CloudDatabase>,
    private readonly opts: RefreshTokenOptions,
  ) {}

  /** Start a sign-in session: a new family and its first token. */
  async startFamily(userId: string, userAgent: string | null): Promise<IssuedRefreshToken> {
    const now = this.opts.clock.now();
    const familyId = randomUUID();
    const familyExpires = now + this.opts.maxLifetimeMs;
    const issued = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("refresh_families")
        .values({
          id: familyId,
          user_id: userId,
          started_at: now,
          expires_at: familyExpires,
          revoked_at: null,
          revoked_reason: null,
          user_agent: userAgent?.slice(0, 256) ?? null,
        })
        .execute();
      return this.insertToken(trx, { familyId, userId, parentId: null, now, familyExpires });
    });
    await this.maybePrune(now);
    return issued;
  }

  /** Exchange `token` for a new one of the same family (or find out why not). */
  async rotate(token: string): Promise<RotateResult> {
    const now = this.opts.clock.now();
    const hash = hashRefreshToken(token);
    const result = await this.db.transaction().execute(async (trx): Promise<RotateResult> => {
      const row = await trx
        .selectFrom("refresh_tokens as t")
        .innerJoin("refresh_families as f", "f.id", "t.family_id")
        .select([
          "t.id",
          "t.family_id",
          "t.user_id",
          "t.expires_at",
          "t.rotated_at",
          "f.expires_at as family_expires_at",
          "f.revoked_at",
        ])
        .where("t.token_hash", "=", hash)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: "unknown" };
      const ids = { familyId: row.family_id, userId: row.user_id };
      if (row.revoked_at !== null) return { ok: false, reason: "revoked", ...ids };
      if (row.expires_at <= now || row.family_expires_at <= now)
        return { ok: false, reason: "expired", ...ids };
      let rotatedAt = row.rotated_at;
      if (rotatedAt === null) {
        // Conditional update: of two concurrent refreshes with the same token exactly one wins;
        // the other sees the winner's rotated_at below (and lands in the grace window).
        const won = await trx
          .updateTable("refresh_tokens")
          .set({ rotated_at: now })
          .where("id", "=", row.id)
          .where("rotated_at", "is", null)
          .executeTakeFirst();
        if (Number(won.numUpdatedRows) === 1) {
          const next = await this.insertToken(trx, {
            ...ids,
            parentId: row.id,
            now,
            familyExpires: row.family_expires_at,
          });
          return { ok: true, ...next };
        }
        const again = await trx
          .selectFrom("refresh_tokens")
          .select("rotated_at")
          .where("id", "=", row.id)
          .executeTakeFirst();
        rotatedAt = again?.rotated_at ?? now;
      }
      if (now - rotatedAt <= this.opts.graceMs) {
        const sibling = await this.insertToken(trx, {
          ...ids,
          parentId: row.id,
          now,
          familyExpires: row.family_expires_at,
        });
        return { ok: true, ...sibling };
      }
      await revoke(trx, row.family_id, now, "reuse");
      return { ok: false, reason: "reused", ...ids };
    });
    if (!result.ok && result.reason === "reused") {
      this.opts.log.warn(
        { familyId: result.familyId, userId: result.userId },
        "refresh token reused after rotation: session revoked",
      );
    }
    return result;
  }

  /** The family and user of `token`, whatever its state; null when unknown. */
  async familyOf(token: string): Promise<{ familyId: string; userId: string } | null> {
    const row = await this.db
      .selectFrom("refresh_tokens")
      .select(["family_id", "user_id"])
      .where("token_hash", "=", hashRefreshToken(token))
      .executeTakeFirst();
    return row ? { familyId: row.family_id, userId: row.user_id } : null;
  }

  /** Revoke one family (logout). */
  async revokeFamily(familyId: string, reason: string): Promise<void> {
    await revoke(this.db, familyId, this.opts.clock.now(), reason);
  }

  /** Revoke every family of `userId`, except `keep` (the session changing the password). */
  async revokeUser(userId: string, reason: string, keep?: string): Promise<void> {
    let q = this.db
      .updateTable("refresh_families")
      .set({ revoked_at: this.opts.clock.now(), revoked_reason: reason })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null);
    if (keep) q = q.where("id", "!=", keep);
    await q.execute();
  }

  /**
   * Delete families a day past their hard expiry or revocation (their tokens go with them,
   * ON DELETE CASCADE), and rotated tokens past their own expiry: presenting one then answers
   * "unknown" instead of "expired", both a plain 401. Runs at most every ten minutes.
   */
  async maybePrune(now = this.opts.clock.now()): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const dayAgo = now - 86_400_000;
    await this.db
      .deleteFrom("refresh_families")
      .where((eb) => eb.or([eb("expires_at", "<", dayAgo), eb("revoked_at", "<", dayAgo)]))
      .execute();
    await this.db
      .deleteFrom("refresh_tokens")
      .where("rotated_at", "is not", null)
      .where("expires_at", "<", now)
      .execute();
  }

  private async insertToken(
    db: Kysely<CloudDatabase>,
    t: { familyId: string; userId: string; parentId: string | null; now: number; familyExpires: number },
  ): Promise<IssuedRefreshToken> {
    const token = PREFIX + randomBytes(32).toString("base64url");
    const expiresAt = Math.min(t.now + this.opts.ttlMs, t.familyExpires);
    await db
      .insertInto("refresh_tokens")
      .values({
        id: randomUUID(),
        family_id: t.familyId,
        user_id: t.userId,
        parent_id: t.parentId,
        token_hash: hashRefreshToken(token),
        issued_at: t.now,
        expires_at: expiresAt,
        rotated_at: null,
      })
      .execute();
    return { token, familyId: t.familyId, userId: t.userId, expiresAt };
  }
}

async function revoke(
  db: Kysely<CloudDatabase>,
  familyId: string,
  now: number,
  reason: string,
): Promise<void> {
  await db
    .updateTable("refresh_families")
    .set({ revoked_at: now, revoked_reason: reason })
    .where("id", "=", familyId)
    .where("revoked_at", "is", null)
    .execute();
}
