import type { NotificationPriority } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import webpush from "web-push";
import type { PushSubscriptionsTable } from "../db/schema-notifications.js";
import type { Clock } from "../security/clock.js";
import { refusePushEndpoint } from "./push-endpoint.js";
import type { PushSubscriptionStore } from "./push-subscription-store.js";
import type { VapidKeys } from "./vapid-keys.js";

export interface WebPushSenderDeps {
  keys: VapidKeys;
  /** VAPID `sub` claim: mailto: or https: contact of the operator. */
  subject: string;
  timeoutMs: number;
  allowInsecureLocalEndpoints: boolean;
  store: PushSubscriptionStore;
  clock: Clock;
  log: Logger;
}

const URGENCY: Record<NotificationPriority, "low" | "normal" | "high"> = {
  low: "low",
  medium: "normal",
  high: "high",
  critical: "high",
};

/**
 * Delivers one encrypted message (RFC 8291 aes128gcm, VAPID RFC 8292) to one browser subscription.
 * web-push builds the request (encryption, signed VAPID header); we send it with fetch, which keeps
 * redirects off (the endpoint is user-supplied) and also speaks plain http to a local test push
 * service when that is explicitly allowed. Never throws: a failure is logged and counted; a 404/410
 * (the browser unsubscribed or the subscription expired) removes the subscription.
 */
export class WebPushSender {
  constructor(private readonly deps: WebPushSenderDeps) {}

  async send(
    sub: PushSubscriptionsTable,
    payload: string,
    opts: { priority: NotificationPriority; ttlSeconds: number },
  ): Promise<void> {
    const { log, store } = this.deps;
    const refused = refusePushEndpoint(sub.endpoint, this.deps.allowInsecureLocalEndpoints);
    if (refused) {
      log.warn({ subscriptionId: sub.id, reason: refused }, "push endpoint refused: subscription dropped");
      await store.drop(sub.id).catch(() => {});
      return;
    }
    try {
      const request = webpush.generateRequestDetails(
        { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        payload,
        {
          vapidDetails: {
            subject: this.deps.subject,
            publicKey: this.deps.keys.publicKey,
            privateKey: this.deps.keys.privateKey,
          },
          TTL: opts.ttlSeconds,
          urgency: URGENCY[opts.priority],
          contentEncoding: "aes128gcm",
        },
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        // fetch sets the length from the body itself.
        if (name.toLowerCase() !== "content-length") headers[name] = String(value);
      }
      const res = await fetch(request.endpoint, {
        method: request.method,
        headers,
        body: request.body,
        redirect: "error",
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await store.succeeded(sub.id, this.deps.clock.now());
        return;
      }
      if (res.status === 404 || res.status === 410) {
        log.info({ subscriptionId: sub.id, status: res.status }, "push subscription gone: dropped");
        await store.drop(sub.id);
        return;
      }
      log.warn({ subscriptionId: sub.id, status: res.status }, "push service refused the message");
      await store.failed(sub.id);
    } catch (err) {
      // The endpoint's path is a capability: log the host only.
      log.warn({ err, subscriptionId: sub.id, host: hostOf(sub.endpoint) }, "push delivery failed");
      await store.failed(sub.id).catch(() => {});
    }
  }
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "?";
  }
}
