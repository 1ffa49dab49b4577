import type { NotificationView, WebPushPayload } from "@homecam/shared";
import { fromFlag } from "../db/portable.js";
import type { NotificationsTable } from "../db/schema-notifications.js";
import { iso } from "../devices/views.js";

// Notification rows → the REST view of shared/src/api/notifications.ts, and the smaller payload a
// browser's service worker receives by Web Push.

/** The metadata column back as an object; a row written by this code always parses. */
function metadata(json: string | null): NotificationView["metadata"] {
  if (json === null) return {};
  const value: unknown = JSON.parse(json);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as NotificationView["metadata"])
    : {};
}

/** A notification row as its recipient sees it. */
export function notificationView(row: NotificationsTable): NotificationView {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    priority: row.priority,
    title: row.title,
    message: row.message,
    metadata: metadata(row.metadata_json),
    deviceId: row.device_id,
    cameraId: row.camera_id,
    eventId: row.event_id,
    isRead: fromFlag(row.is_read),
    readAt: row.read_at === null ? null : iso(row.read_at),
    createdAt: iso(row.created_at),
  };
}

/** What a service worker gets: enough to show the notification and link to it, nothing more. */
export function webPushPayload(view: NotificationView): WebPushPayload {
  const { id, type, priority, title, message, cameraId, eventId, createdAt } = view;
  return {
    type: "notification",
    notification: { id, type, priority, title, message, cameraId, eventId, createdAt },
  };
}
