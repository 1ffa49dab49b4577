import type { CloudConfig } from "@homecam/shared";
import { moduleLogger } from "@homecam/shared/node";
import type { EventIndexSignals } from "../events/event-signals.js";
import type { ApiModule } from "../http/create-app.js";
import type { Mailer } from "../mail/mailer.js";
import type { RendezvousContext, ViewerPush } from "../rendezvous/context.js";
import { notificationRoutes } from "./notification-routes.js";
import { NotificationService } from "./notification-service.js";
import { NotificationTriggers, type OfflineSource } from "./notification-triggers.js";
import { pushRoutes } from "./push-routes.js";
import { PushSubscriptionStore } from "./push-subscription-store.js";
import type { VapidKeys } from "./vapid-keys.js";
import { WebPushSender } from "./web-push-sender.js";

export { NotificationService } from "./notification-service.js";
export { NotificationTriggers } from "./notification-triggers.js";
export { loadOrCreateVapidKeys, type VapidKeys } from "./vapid-keys.js";

export interface NotificationsModuleDeps {
  ctx: Pick<RendezvousContext, "db" | "clock" | "log" | "config">;
  /** The viewer socket hub. */
  push: ViewerPush;
  /** The accounts' mailer (SMTP, or the demo's log mailer); null: no e-mail. */
  mailer: Mailer | null;
  /** Presence, for device-offline notices; null: none. */
  presence: OfflineSource | null;
  /** The event ingest's signals (motion, lost clips). */
  ingest: { signals: EventIndexSignals };
  /** The deployment's Web Push key pair: `await loadOrCreateVapidKeys(config.stateDir)`. */
  vapidKeys: VapidKeys;
  /** Default: `ctx.config.notifications`. */
  config?: CloudConfig["notifications"];
}

/** The notification centre, ready to wire. */
export interface NotificationsModule {
  apiModule: ApiModule;
  service: NotificationService;
  triggers: NotificationTriggers;
  /** Start listening to the ingest signals and presence. */
  start(): void;
  /** Stop listening; finish queued triggers and started deliveries. */
  close(): Promise<void>;
  /** Resolves when queued triggers and background deliveries are done (tests). */
  idle(): Promise<void>;
}

/**
 * Build the notification centre: `/api/notifications…` routes, the service that writes and
 * delivers (viewer socket, e-mail, Web Push), and the triggers (motion, offline, lost clips).
 * Synchronous, so it can be built inline with the other API modules; the VAPID keys are loaded
 * before (loadOrCreateVapidKeys).
 */
export function notificationsModule(deps: NotificationsModuleDeps): NotificationsModule {
  const { ctx } = deps;
  const config = deps.config ?? ctx.config.notifications;
  const log = moduleLogger(ctx.log, "notifications");
  const keys = deps.vapidKeys;
  const subscriptions = new PushSubscriptionStore(ctx.db);
  const webPush = new WebPushSender({
    keys,
    subject: config.webPush.subject,
    timeoutMs: config.webPush.timeoutMs,
    allowInsecureLocalEndpoints: config.webPush.allowInsecureLocalEndpoints,
    store: subscriptions,
    clock: ctx.clock,
    log,
  });
  const service = new NotificationService({
    db: ctx.db,
    clock: ctx.clock,
    log,
    push: deps.push,
    mailer: deps.mailer,
    webPush,
    subscriptions,
    viewerUrl: ctx.config.relay.viewerBaseUrl ?? ctx.config.http.publicUrl,
  });
  const triggers = new NotificationTriggers({
    db: ctx.db,
    clock: ctx.clock,
    log,
    service,
    motionCooldownMs: config.motionCooldownS * 1000,
  });
  const push = pushRoutes({
    clock: ctx.clock,
    subscriptions,
    publicKey: keys.publicKey,
    allowInsecureLocalEndpoints: config.webPush.allowInsecureLocalEndpoints,
  });
  const routes = notificationRoutes({ db: ctx.db, clock: ctx.clock, service });
  let started = false;
  return {
    apiModule: (registry, router) => {
      push(registry, router);
      routes(registry, router);
    },
    service,
    triggers,
    start() {
      if (started) return;
      started = true;
      triggers.attach(deps.ingest.signals, deps.presence);
    },
    async close() {
      await triggers.close();
      await service.idle();
    },
    async idle() {
      await triggers.idle();
      await service.idle();
    },
  };
}
