import {
  ApiError,
  pushPublicKeySchema,
  pushSubscriptionBodySchema,
  pushSubscriptionViewSchema,
  pushUnsubscribeBodySchema,
  pushUnsubscribedSchema,
} from "@homecam/shared";
import { withMessage } from "../api/api-route.js";
import { callerId } from "../devices/device-access.js";
import { iso } from "../devices/views.js";
import type { ApiModule } from "../http/create-app.js";
import type { Clock } from "../security/clock.js";
import { refusePushEndpoint } from "./push-endpoint.js";
import type { PushSubscriptionStore } from "./push-subscription-store.js";

const TAG = "notifications";

export interface PushRoutesDeps {
  clock: Clock;
  subscriptions: PushSubscriptionStore;
  publicKey: string;
  allowInsecureLocalEndpoints: boolean;
}

/** Web Push: the VAPID public key, and the caller's browser subscriptions. */
export function pushRoutes(deps: PushRoutesDeps): ApiModule {
  const { clock, subscriptions } = deps;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/notifications/push/public-key",
        summary: "The VAPID public key: pass it as applicationServerKey to PushManager.subscribe()",
        tag: TAG,
        access: "user",
        response: pushPublicKeySchema,
      },
      async () => ({ publicKey: deps.publicKey }),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/notifications/push/subscriptions",
        summary:
          "Subscribe this browser to Web Push (body: PushSubscription.toJSON(); the endpoint must be https://)",
        tag: TAG,
        access: "user",
        body: pushSubscriptionBodySchema,
        response: pushSubscriptionViewSchema,
        status: 201,
      },
      async ({ principal, body }) => {
        const refused = refusePushEndpoint(body.endpoint, deps.allowInsecureLocalEndpoints);
        if (refused) throw new ApiError("E_VALIDATION", `push endpoint refused: ${refused}`);
        const row = await subscriptions.upsert(callerId(principal), body, clock.now());
        return withMessage(
          { id: row.id, endpoint: row.endpoint, createdAt: iso(row.created_at) },
          "subscribed",
          201,
        );
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/notifications/push/subscriptions",
        summary: "Unsubscribe a browser of yours (body: {endpoint})",
        tag: TAG,
        access: "user",
        body: pushUnsubscribeBodySchema,
        response: pushUnsubscribedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, body }) => {
        if (!(await subscriptions.remove(callerId(principal), body.endpoint))) {
          throw new ApiError("E_NOT_FOUND", "no such subscription");
        }
        return { deleted: true as const };
      },
    );
  };
}
