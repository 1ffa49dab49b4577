import type { NotificationType, NotificationView } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { Mailer } from "../mail/mailer.js";
import type { ViewerPush } from "../rendezvous/context.js";
import type { Clock } from "../security/clock.js";
import { notificationMail } from "./notification-mail.js";
import { type NewNotification, NotificationStore } from "./notification-store.js";
import { notificationView, webPushPayload } from "./notification-views.js";
import type { PushSubscriptionStore } from "./push-subscription-store.js";
import { type DeliveryPrefs, deliveryPrefs } from "./recipients.js";
import type { WebPushSender } from "./web-push-sender.js";

/** What a notification says; the same for every recipient. */
export type NotificationInput = Omit<NewNotification, "userId">;

export interface NotificationServiceDeps {
  db: Kysely<CloudDatabase>;
  clock: Clock;
  log: Logger;
  /** The viewer socket hub. */
  push: ViewerPush;
  /** null: no e-mail channel. */
  mailer: Mailer | null;
  /** null: no Web Push channel. */
  webPush: WebPushSender | null;
  subscriptions: PushSubscriptionStore;
  /** Base URL of the viewer app, for links in e-mails. */
  viewerUrl: string;
}

/** How long a push service keeps a message for an offline browser: motion goes stale fast. */
const TTL_SECONDS: Record<NotificationType, number> = {
  motion: 3600,
  system: 86_400,
  security: 86_400,
  maintenance: 86_400,
};

/**
 * Writes notifications and delivers them. The rows and the viewer-socket push happen before
 * `notify` resolves (a viewer learns within the same tick the row exists); e-mail and Web Push run
 * in the background afterwards, so a slow SMTP server or push service never delays the socket,
 * never blocks the fact that caused the notification, and never makes it fail.
 */
export class NotificationService {
  readonly store: NotificationStore;
  private readonly log: Logger;
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: NotificationServiceDeps) {
    this.store = new NotificationStore(deps.db);
    this.log = moduleLogger(deps.log, "notifications");
  }

  /** Notify each of `userIds` (once per user); returns the notifications written. */
  async notify(userIds: readonly string[], input: NotificationInput): Promise<NotificationView[]> {
    const now = this.deps.clock.now();
    const rows = await this.store.insert(
      [...new Set(userIds)].map((userId) => ({ ...input, userId })),
      now,
    );
    const views = rows.map(notificationView);
    for (const view of views) {
      this.deps.push.toUsers([view.userId], { type: "notification.created", at: now, notification: view });
    }
    if (views.length > 0) this.inBackground(this.deliver(views));
    return views;
  }

  /** Resolves when every e-mail and Web Push started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.log.error({ err }, "notification delivery failed"));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private async deliver(views: NotificationView[]): Promise<void> {
    const prefs = new Map<string, DeliveryPrefs>(
      (
        await deliveryPrefs(
          this.deps.db,
          views.map((v) => v.userId),
        )
      ).map((p) => [p.userId, p]),
    );
    const pushTo = views.filter((v) => prefs.get(v.userId)?.push);
    await Promise.all([
      ...views.map((v) => this.mail(v, prefs.get(v.userId)?.email ?? null)),
      this.webPush(pushTo),
    ]);
  }

  private async mail(view: NotificationView, to: string | null): Promise<void> {
    if (!to || !this.deps.mailer) return;
    try {
      await this.deps.mailer.send(notificationMail(to, view, this.deps.viewerUrl));
    } catch (err) {
      this.log.warn({ err, userId: view.userId, notificationId: view.id }, "notification e-mail not sent");
    }
  }

  private async webPush(views: NotificationView[]): Promise<void> {
    const sender = this.deps.webPush;
    if (!sender || views.length === 0) return;
    const subs = await this.deps.subscriptions.forUsers(views.map((v) => v.userId));
    const byUser = new Map(views.map((v) => [v.userId, v]));
    await Promise.all(
      subs.map((sub) => {
        const view = byUser.get(sub.user_id) as NotificationView;
        return sender.send(sub, JSON.stringify(webPushPayload(view)), {
          priority: view.priority,
          ttlSeconds: TTL_SECONDS[view.type],
        });
      }),
    );
  }
}
