import type { EpochMs, Flag } from "./schema.js";

// Tables of the notification centre (migration 0007): the seed's `Notification` plus the browsers
// subscribed to Web Push.

export interface NotificationsTable {
  id: string;
  user_id: string;
  type: "motion" | "system" | "security" | "maintenance";
  priority: "low" | "medium" | "high" | "critical";
  title: string;
  message: string;
  /** JSON object of extra data (event id, camera id, …); never secrets. */
  metadata_json: string | null;
  /** What it is about, when it is about a device / camera / event (for cooldowns and links). */
  device_id: string | null;
  camera_id: string | null;
  event_id: string | null;
  /**
   * Makes a notification exactly-once per recipient when set (`clip:<deviceId>:<agentRecordingId>`
   * for a lost clip, `motion:<eventId>`): unique with user_id; null for the rest.
   */
  dedupe_key: string | null;
  is_read: Flag;
  read_at: EpochMs | null;
  created_at: EpochMs;
}

export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  /** The push service URL the browser gave (unique: one row per browser subscription). */
  endpoint: string;
  /** The browser's P-256 public key and auth secret (base64url), for payload encryption. */
  p256dh: string;
  auth: string;
  created_at: EpochMs;
  last_success_at: EpochMs | null;
  /** Consecutive failed deliveries; the row is dropped when the push service answers 404/410. */
  failures: number;
}
