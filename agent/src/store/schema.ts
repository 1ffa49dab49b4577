import type { Generated, Insertable, Selectable, Updateable } from "kysely";

// Row types of the agent's SQLite database, as kysely sees them. Column names are snake_case
// (SQL); the code maps them to camelCase at the edges that leave the process (JSON, MQTT).
//
// Timestamps are epoch milliseconds in INTEGER columns: SQLite has no date type, integers sort
// and compare cheaply in indexes, carry no time-zone or format ambiguity, and are what
// `Date.now()` and the MQTT envelope's `ts` already use — nothing to convert on the way out.
//
// Booleans are 0/1 INTEGERs (SQLite has no boolean type). JSON columns hold text checked with
// `json_valid()`.

/** SQLite's boolean: 0 or 1. */
export type SqlBool = 0 | 1;
/** Epoch milliseconds. */
export type EpochMs = number;
/** Text holding a JSON document. */
export type JsonText = string;

export type EventType = "motion" | "manual" | "scheduled" | "sound";
export type UploadState = "pending" | "uploading" | "uploaded" | "local_only";
export type GrantRole = "owner" | "viewer";

export interface CamerasTable {
  id: string;
  name: string;
  source_type: string;
  enabled: Generated<SqlBool>;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface EventsTable {
  id: string;
  camera_id: string;
  type: EventType;
  started_at: EpochMs;
  ended_at: EpochMs | null;
  duration_ms: number | null;
  score: number;
  pinned: Generated<SqlBool>;
  acknowledged: Generated<SqlBool>;
  /** Detector output, e.g. `{"boxes":[[x,y,w,h],…]}` in normalised coordinates. */
  metadata: Generated<JsonText>;
  thumbnail_path: string | null;
  /** Size of the thumbnail file (migration 0002), counted by retention with the event's first clip. */
  thumbnail_bytes: number | null;
  created_at: EpochMs;
}

export interface RecordingsTable {
  id: string;
  event_id: string | null;
  camera_id: string;
  /** Position of this clip within its event (long events are split into several clips). */
  idx: Generated<number>;
  file_path: string;
  started_at: EpochMs;
  ended_at: EpochMs;
  duration_ms: number;
  size_bytes: number;
  format: string;
  uploaded_at: EpochMs | null;
  upload_state: Generated<UploadState>;
  created_at: EpochMs;
}

export interface SettingsTable {
  /** `''` for device-wide settings. */
  camera_id: Generated<string>;
  key: string;
  value: JsonText;
  updated_at: EpochMs;
}

export interface OutboxTable {
  /** Delivery order. */
  seq: Generated<number>;
  /** Idempotency key: the cloud drops a message whose id it has already seen. */
  id: string;
  /** The `{kind}` of the `evt/{kind}` topic the message is published on. */
  topic_kind: string;
  camera_id: string | null;
  type: string;
  body: JsonText;
  created_at: EpochMs;
  attempts: Generated<number>;
  next_attempt_at: EpochMs;
  delivered_at: EpochMs | null;
  /** The event or recording the row is about (migration 0004): `event.updated` rows coalesce on it. */
  subject_id: string | null;
  /** Set aside, never to be sent: the body no longer fits its schema (migration 0004). */
  dead_at: EpochMs | null;
  /** Why the row is dead, or the last delivery error. */
  error: string | null;
}

/** Viewer access cached from the cloud, so LAN access keeps working offline. */
export interface GrantsTable {
  user_id: string;
  role: GrantRole;
  revoked_at: EpochMs | null;
  updated_at: EpochMs;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: EpochMs;
}

/** What a warning is about (migration 0002). */
export type WarningKind =
  /** Retention deleted a clip that was never uploaded: the only copy is gone. */
  | "clip-deleted-not-uploaded"
  /** A recording row's file was missing at start (deleted by hand, SD card trouble). */
  | "recording-file-missing"
  /** An event's clip could not be written; the event is kept without it. */
  | "clip-write-failed";

/** Facts for the user that are not camera events; no foreign keys, they outlive what they mention. */
export interface WarningsTable {
  id: string;
  kind: WarningKind;
  camera_id: string | null;
  event_id: string | null;
  recording_id: string | null;
  message: string;
  data: Generated<JsonText>;
  created_at: EpochMs;
}

/** Remote changes to a camera, applied over the configuration file at start (migration 0003). */
export interface CameraRuntimeTable {
  camera_id: string;
  /** Accumulated `settings.set` patch: `{name?, motion?, recording?}`. */
  settings_patch: Generated<JsonText>;
  /** 0 = privacy mode. */
  armed: Generated<SqlBool>;
  /** Full config of a camera added remotely (`camera.add`); null for the file's cameras. */
  added_config: JsonText | null;
  updated_at: EpochMs;
}

export interface AgentDatabase {
  cameras: CamerasTable;
  events: EventsTable;
  recordings: RecordingsTable;
  settings: SettingsTable;
  outbox: OutboxTable;
  grants: GrantsTable;
  kv: KvTable;
  warnings: WarningsTable;
  camera_runtime: CameraRuntimeTable;
}

export type CameraRow = Selectable<CamerasTable>;
export type NewCamera = Insertable<CamerasTable>;
export type CameraUpdate = Updateable<CamerasTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type EventUpdate = Updateable<EventsTable>;
export type RecordingRow = Selectable<RecordingsTable>;
export type NewRecording = Insertable<RecordingsTable>;
export type RecordingUpdate = Updateable<RecordingsTable>;
export type SettingRow = Selectable<SettingsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxMessage = Insertable<OutboxTable>;
export type GrantRow = Selectable<GrantsTable>;
export type WarningRow = Selectable<WarningsTable>;
export type NewWarning = Insertable<WarningsTable>;
