import type { EpochMs, Flag } from "./schema.js";

// Tables of the event index (migration 0006, provider columns from 0008, notes and recording
// deletions from 0009): events and recorded segments synced from agents, and the frame ids
// already applied.

/** An event synced from an agent (issue 7); `agent_event_id` is the agent's id, unique per device. */
export interface EventsTable {
  id: string;
  device_id: string;
  agent_event_id: string;
  camera_id: string;
  type: "motion" | "manual" | "scheduled" | "sound";
  started_at: EpochMs;
  ended_at: EpochMs | null;
  duration_ms: number | null;
  /** Peak detection score, 0–1 (`double precision`). */
  score: number;
  /** The latest detection boxes, JSON array of `{x, y, w, h}`. */
  boxes_json: string;
  thumbnail_key: string | null;
  /** Provider the thumbnail was written to (null = the deployment's configured store). */
  thumbnail_provider_id: string | null;
  is_pinned: Flag;
  acknowledged: Flag;
  created_at: EpochMs;
  updated_at: EpochMs;
  /** Soft delete by the owner. */
  deleted_at: EpochMs | null;
}

/** A recorded segment on an agent's disk, and in storage once uploaded. */
export interface RecordingsTable {
  id: string;
  device_id: string;
  agent_recording_id: string;
  /** The agent's event id as sent; `event_id` is filled once that event is known. */
  agent_event_id: string | null;
  event_id: string | null;
  camera_id: string;
  idx: number;
  started_at: EpochMs;
  ended_at: EpochMs;
  duration_ms: number;
  size_bytes: number;
  format: "mp4";
  sha256: string | null;
  object_key: string | null;
  /** Provider the clip was written to (null = the deployment's configured store). */
  provider_id: string | null;
  uploaded_at: EpochMs | null;
  local_deleted_at: EpochMs | null;
  /** The owner's annotation (≤ 500 characters, trimmed). */
  note: string | null;
  created_at: EpochMs;
  /** Soft delete by the owner: hidden from every read; `recording_deletions` does the rest. */
  deleted_at: EpochMs | null;
}

/** Frame ids of applied agent messages (idempotency), pruned after 7 days. */
export interface IngestedMessagesTable {
  device_id: string;
  message_id: string;
  received_at: EpochMs;
}

/** A deleted recording's follow-up (0009): its stored object removed, its agent told. */
export interface RecordingDeletionsTable {
  recording_id: string;
  device_id: string;
  /** The agent's id of the recording, as `recording.delete` names it. */
  agent_recording_id: string;
  requested_at: EpochMs;
  /** Its clip was removed from storage (and its key cleared). */
  purged_at: EpochMs | null;
  /** The agent answered `recording.delete`. */
  agent_told_at: EpochMs | null;
  attempts: number;
  last_error: string | null;
}

/**
 * Tables of migration 0009 that `CloudDatabase` (schema.ts) does not list; code reaches them
 * through `db.withTables<EventsExtraTables>()`.
 */
// A type alias, not an interface: kysely's withTables wants an index-signature-compatible type.
export type EventsExtraTables = {
  recording_deletions: RecordingDeletionsTable;
};
