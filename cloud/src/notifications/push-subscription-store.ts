import type { PushSubscriptionBody } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { PushSubscriptionsTable } from "../db/schema-notifications.js";
import { newNotificationId } from "./notification-store.js";

/** The Web Push subscriptions of users' browsers; one row per endpoint. */
export class PushSubscriptionStore {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  /**
   * Store a browser's subscription for `userId`. An endpoint is one browser profile: when another
   * account signs in there and subscribes, the endpoint moves to it (the browser shows one user's
   * notifications, never two users').
   */
  async upsert(userId: string, body: PushSubscriptionBody, now: number): Promise<PushSubscriptionsTable> {
    const row: PushSubscriptionsTable = {
      id: newNotificationId(),
      user_id: userId,
      endpoint: body.endpoint,
      p256dh: body.keys.p256dh,
      auth: body.keys.auth,
      created_at: now,
      last_success_at: null,
      failures: 0,
    };
    await this.db
      .insertInto("push_subscriptions")
      .values(row)
      .onConflict((oc) =>
        oc.column("endpoint").doUpdateSet({
          user_id: userId,
          p256dh: row.p256dh,
          auth: row.auth,
          created_at: now,
          last_success_at: null,
          failures: 0,
        }),
      )
      .execute();
    return this.db
      .selectFrom("push_subscriptions")
      .selectAll()
      .where("endpoint", "=", body.endpoint)
      .executeTakeFirstOrThrow();
  }

  /** Remove the caller's subscription; false when the endpoint is not theirs (or unknown). */
  async remove(userId: string, endpoint: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom("push_subscriptions")
      .where("user_id", "=", userId)
      .where("endpoint", "=", endpoint)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Every subscription of these users. */
  forUsers(userIds: readonly string[]): Promise<PushSubscriptionsTable[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("push_subscriptions")
      .selectAll()
      .where("user_id", "in", [...userIds])
      .execute();
  }

  /** The push service no longer knows the subscription (404/410): forget it. */
  async drop(id: string): Promise<void> {
    await this.db.deleteFrom("push_subscriptions").where("id", "=", id).execute();
  }

  async succeeded(id: string, now: number): Promise<void> {
    await this.db
      .updateTable("push_subscriptions")
      .set({ last_success_at: now, failures: 0 })
      .where("id", "=", id)
      .execute();
  }

  async failed(id: string): Promise<void> {
    await this.db
      .updateTable("push_subscriptions")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("id", "=", id)
      .execute();
  }
}
