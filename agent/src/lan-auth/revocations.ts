import type { Kysely } from "kysely";
import type { AgentDatabase } from "../store/schema.js";

// Revocations live in the kv table, one row per user: the grants table's role column cannot be
// filled honestly (the push names the user only, and an unpair revokes the owner too).
const PREFIX = "lan-auth.revoked:";

/**
 * Users whose grant the cloud revoked, with when the agent heard of it. A LAN token issued at or
 * before that moment is refused; one issued later (the user was invited again) works. Persisted,
 * so a restart with the cloud down does not bring a revoked viewer back.
 */
export class RevocationStore {
  constructor(
    private readonly db: Kysely<AgentDatabase>,
    private readonly now: () => number = Date.now,
  ) {}

  async revoke(userId: string): Promise<void> {
    const at = this.now();
    await this.db
      .insertInto("kv")
      .values({ key: PREFIX + userId, value: String(at), updated_at: at })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(at), updated_at: at }))
      .execute();
  }

  /** When `userId` was last revoked (epoch ms), or null. */
  async revokedAt(userId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom("kv")
      .select("value")
      .where("key", "=", PREFIX + userId)
      .executeTakeFirst();
    return row ? Number(row.value) : null;
  }
}
