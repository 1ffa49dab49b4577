// Table types for kysely. Column names are snake_case in SQL; rows are mapped to camelCase JSON by
// the stores, never sent as-is.
//
// Portable column rules (one migration set runs on SQLite and PostgreSQL):
// - Timestamps are epoch milliseconds in a `bigint` column (see EpochMs). Chosen over ISO text
//   because integer comparison is exact under any collation (PostgreSQL compares text by locale),
//   expiry arithmetic (`expires_at < ?`) needs no date functions that differ between dialects,
//   and it fits a JS number until the year 287396. `pg` returns int8 as a string by default, so
//   open-database.ts installs a parser that turns it into a number.
// - Booleans are `integer` 0/1 with a CHECK (see Flag): SQLite has no boolean type and
//   better-sqlite3 refuses to bind JS booleans, while PostgreSQL's boolean would come back as
//   true/false on one dialect and 0/1 on the other. Convert at the store edge with portable.ts.
// - Text is `text` (no varchar lengths: limits belong in the zod schemas at the API edge).

import type { EventsTable, IngestedMessagesTable, RecordingsTable } from "./schema-events.js";
import type { NotificationsTable, PushSubscriptionsTable } from "./schema-notifications.js";
import type { MediaUploadsTable, StorageProvidersTable, UserProvidersTable } from "./schema-storage.js";

/** Milliseconds since the Unix epoch, stored in a `bigint` column. */
export type EpochMs = number;

/** A boolean stored as `integer` 0/1. */
export type Flag = 0 | 1;

/** Small key/value facts about this installation (schema notes, instance id…). */
export interface InstanceMetaTable {
  key: string;
  value: string;
  updated_at: EpochMs;
}

/** Accounts (issue 5). `email` is stored lower-cased. */
export interface UsersTable {
  id: string;
  email: string;
  /** `scrypt$<logN>$<r>$<p>$<salt>$<hash>`; null for an account without a password (Google). */
  password_hash: string | null;
  name: string;
  nickname: string | null;
  bio: string | null;
  phone: string | null;
  /** YYYY-MM-DD. */
  birth: string | null;
  picture_url: string | null;
  email_verified: Flag;
  google_id: string | null;
  provider: "local" | "google";
  role: "admin" | "user";
  is_active: Flag;
  last_login_at: EpochMs | null;
  /** Access tokens issued before this instant are refused. */
  tokens_valid_after: EpochMs;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** Terms agreement history, one row per agreement. */
export interface TermsAgreementsTable {
  id: string;
  user_id: string;
  version: string;
  agree_terms: Flag;
  agree_privacy: Flag;
  agree_microphone: Flag;
  agree_location: Flag;
  agree_marketing: Flag;
  created_at: EpochMs;
}

/** One-time 6-digit e-mail codes, stored as an HMAC. */
export interface EmailCodesTable {
  id: string;
  user_id: string;
  purpose: "verify_email" | "reset_password";
  email: string;
  code_hash: string;
  attempts: number;
  failures: number;
  created_at: EpochMs;
  expires_at: EpochMs;
  consumed_at: EpochMs | null;
  superseded_at: EpochMs | null;
}

/** A refresh-token family: one sign-in session. */
export interface RefreshFamiliesTable {
  id: string;
  user_id: string;
  started_at: EpochMs;
  expires_at: EpochMs;
  revoked_at: EpochMs | null;
  revoked_reason: string | null;
  user_agent: string | null;
}

/** Refresh tokens (SHA-256 of the opaque token), rotated on every use. */
export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  parent_id: string | null;
  token_hash: string;
  issued_at: EpochMs;
  expires_at: EpochMs;
  rotated_at: EpochMs | null;
}

/** Per-user settings (issue 5); one row per user once they change something. */
export interface UserSettingsTable {
  user_id: string;
  notifications_enabled: Flag;
  email_notifications: Flag;
  default_motion_sensitivity: number;
  recording_quality: "low" | "medium" | "high";
  storage_days: number;
  app_lock_enabled: Flag;
  /** `scrypt$<logN>$<r>$<p>$<salt>$<hash>`, null when no PIN is set. */
  app_lock_pin_hash: string | null;
  updated_at: EpochMs;
}

/** Integration API keys: only the SHA-256 of the secret is stored. */
export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_at: EpochMs;
  expires_at: EpochMs | null;
  last_used_at: EpochMs | null;
}

/** The request log (method, route pattern, status, duration, caller), pruned by age and count. */
export interface RequestLogTable {
  id: string;
  created_at: EpochMs;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  user_id: string | null;
  api_key_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

/** Support tickets. */
export interface TicketsTable {
  id: string;
  user_id: string;
  subject: string;
  message: string;
  status: "open" | "in_progress" | "resolved" | "closed";
  admin_response: string | null;
  admin_id: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  resolved_at: EpochMs | null;
}

/** Devices (issue 6): one row per agent key, pinned on first contact. `id` = JWK thumbprint. */
export interface DevicesTable {
  id: string;
  /** The pinned public key, canonical JSON `{"crv":"Ed25519","kty":"OKP","x":…}`. */
  public_jwk: string;
  name: string;
  created_at: EpochMs;
  last_seen_at: EpochMs | null;
  revoked_at: EpochMs | null;
  /** Presence from the retained status topic (and the HTTP heartbeat). */
  status: "online" | "offline" | "unknown";
  status_at: EpochMs | null;
  agent_version: string | null;
  /** The latest `device.telemetry` body, as JSON. */
  telemetry_json: string | null;
  telemetry_at: EpochMs | null;
}

/** A camera of a device; `id` is global, `local_id` the agent's configured camera id. */
export interface CamerasTable {
  id: string;
  device_id: string;
  local_id: string;
  name: string;
  location: string | null;
  source_kind: string | null;
  status: string;
  status_reason: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  /** Set when the owner deleted it; re-registration by the agent does not undo that. */
  removed_at: EpochMs | null;
}

/** Grants: who may watch (`viewer`) or control (`owner`) a device. */
export interface DeviceGrantsTable {
  device_id: string;
  user_id: string;
  role: "owner" | "viewer";
  granted_by: string | null;
  created_at: EpochMs;
}

/** Pairing sessions (QR / PIN). The PIN is kept as an HMAC only. */
export interface PairingSessionsTable {
  id: string;
  device_id: string;
  pin_hmac: string;
  origin: "device" | "invite";
  invited_by: string | null;
  state: "open" | "claimed" | "burned" | "expired" | "cancelled";
  failed_attempts: number;
  created_at: EpochMs;
  expires_at: EpochMs;
  claimed_by: string | null;
  claimed_at: EpochMs | null;
  claimed_role: "owner" | "viewer" | null;
}

/** Who viewed or commanded what on a device. */
export interface DeviceAccessLogTable {
  id: string;
  device_id: string;
  user_id: string | null;
  camera_id: string | null;
  action: string;
  outcome: string;
  detail: string | null;
  created_at: EpochMs;
}

// The event index's tables live in schema-events.ts; re-exported for the modules that import them here.
export type { EventsTable, IngestedMessagesTable, RecordingsTable };

/** Every table of the cloud database, as kysely sees it. */
export interface CloudDatabase {
  instance_meta: InstanceMetaTable;
  users: UsersTable;
  terms_agreements: TermsAgreementsTable;
  email_codes: EmailCodesTable;
  refresh_families: RefreshFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  user_settings: UserSettingsTable;
  api_keys: ApiKeysTable;
  request_log: RequestLogTable;
  tickets: TicketsTable;
  devices: DevicesTable;
  cameras: CamerasTable;
  device_grants: DeviceGrantsTable;
  pairing_sessions: PairingSessionsTable;
  device_access_log: DeviceAccessLogTable;
  events: EventsTable;
  recordings: RecordingsTable;
  ingested_messages: IngestedMessagesTable;
  notifications: NotificationsTable;
  push_subscriptions: PushSubscriptionsTable;
  storage_providers: StorageProvidersTable;
  user_providers: UserProvidersTable;
  media_uploads: MediaUploadsTable;
}
