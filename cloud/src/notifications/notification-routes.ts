import {
  ApiError,
  notificationCreateBodySchema,
  notificationDeletedSchema,
  notificationListQuerySchema,
  notificationPageSchema,
  notificationStatsQuerySchema,
  notificationStatsSchema,
  notificationsReadAllSchema,
  notificationUnreadCountSchema,
  notificationViewSchema,
} from "@homecam/shared";
import type { Kysely } from "kysely";
import { z } from "zod";
import { idParam, withMessage } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { CloudDatabase } from "../db/schema.js";
import { callerId } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import type { Clock } from "../security/clock.js";
import { notificationPage, notificationStats } from "./notification-queries.js";
import type { NotificationService } from "./notification-service.js";
import { notificationView } from "./notification-views.js";

const TAG = "notifications";
const idParams = z.strictObject({ id: idParam });

export interface NotificationRoutesDeps {
  db: Kysely<CloudDatabase>;
  clock: Clock;
  service: NotificationService;
}

/**
 * `/api/notifications…` (seed paths). Everything is scoped to the caller's own notifications: an id
 * of another user's notification answers 404 like an unknown one. The static paths are registered
 * before `/:id`, which would take them for ids.
 */
export function notificationRoutes(deps: NotificationRoutesDeps): ApiModule {
  const { db, clock, service } = deps;
  const { store } = service;
  const notFound = () => new ApiError("E_NOT_FOUND", "no such notification");
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/notifications",
        summary: "List your notifications, newest first (filters type, priority, isRead/unread, from, to)",
        tag: TAG,
        access: "user",
        query: notificationListQuerySchema,
        response: notificationPageSchema,
      },
      async ({ principal, query }) => {
        const { limit, cursor, unread, isRead, ...filter } = query;
        const read = isRead ?? (unread === undefined ? undefined : !unread);
        return notificationPage(db, callerId(principal), { ...filter, isRead: read }, { limit, cursor });
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/notifications",
        summary:
          "Create a notification for yourself (an administrator may name another userId); delivered like the cloud's own",
        tag: TAG,
        access: "user",
        body: notificationCreateBodySchema,
        response: notificationViewSchema,
        status: 201,
        errors: ["E_FORBIDDEN", "E_NOT_FOUND"],
      },
      async ({ principal, body }) => {
        const userId = await recipient(db, principal, body.userId);
        const [view] = await service.notify([userId], {
          type: body.type,
          priority: body.priority,
          title: body.title,
          message: body.message,
          metadata: body.metadata,
        });
        if (!view) throw new ApiError("E_INTERNAL", "the notification was not written");
        return withMessage(view, "notification created", 201);
      },
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/notifications/read-all",
        summary: "Mark all your notifications read",
        tag: TAG,
        access: "user",
        response: notificationsReadAllSchema,
      },
      async ({ principal }) => ({ updated: await store.markAllRead(callerId(principal), clock.now()) }),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/notifications/unread-count",
        summary: "How many of your notifications are unread",
        tag: TAG,
        access: "user",
        response: notificationUnreadCountSchema,
      },
      async ({ principal }) => ({ count: await store.unreadCount(callerId(principal)) }),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/notifications/stats",
        summary: "Counts of your notifications per type, per priority and per UTC day, and unread",
        tag: TAG,
        access: "user",
        query: notificationStatsQuerySchema,
        response: notificationStatsSchema,
      },
      async ({ principal, query }) => notificationStats(db, callerId(principal), query),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/notifications/:id",
        summary: "Read one of your notifications",
        tag: TAG,
        access: "user",
        params: idParams,
        response: notificationViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const row = await store.get(callerId(principal), params.id);
        if (!row) throw notFound();
        return notificationView(row);
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/notifications/:id",
        summary: "Delete one of your notifications",
        tag: TAG,
        access: "user",
        params: idParams,
        response: notificationDeletedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        if (!(await store.delete(callerId(principal), params.id))) throw notFound();
        return { id: params.id, deleted: true as const };
      },
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/notifications/:id/read",
        summary: "Mark one of your notifications read (idempotent: keeps the first read time)",
        tag: TAG,
        access: "user",
        params: idParams,
        response: notificationViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const row = await store.markRead(callerId(principal), params.id, clock.now());
        if (!row) throw notFound();
        return notificationView(row);
      },
    );
  };
}

/** Whom a created notification is for: the caller, or (administrators only) the named user. */
async function recipient(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  userId: string | undefined,
): Promise<string> {
  const self = callerId(principal);
  if (userId === undefined || userId === self) return self;
  // An API key never acts as an administrator (same rule as the `admin` routes).
  if (principal?.role !== "admin" || principal.via !== "access") {
    throw new ApiError("E_FORBIDDEN", "only administrators may notify another user");
  }
  const exists = await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
  if (!exists) throw new ApiError("E_NOT_FOUND", "no such user");
  return userId;
}
