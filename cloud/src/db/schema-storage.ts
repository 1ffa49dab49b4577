import type { EpochMs, Flag } from "./schema.js";

// Tables of storage providers (migration 0008; seed 001's `Providers` / `UserProviders`, mapped to
// object storage), and the uploads in flight between presign and complete.

export interface StorageProvidersTable {
  id: string;
  name: string;
  driver: "fs" | "s3";
  endpoint: string | null;
  bucket: string | null;
  region: string | null;
  force_path_style: Flag;
  /** AES-256-GCM sealed JSON of the credentials; null for fs. Never returned, never logged. */
  credentials_sealed: string | null;
  allow_videos: Flag;
  allow_images: Flag;
  is_active: Flag;
  /** Uploads of users without a provider of their own go here (at most one row is 1). */
  is_default: Flag;
  /** JSON object of further settings. */
  settings_json: string | null;
  /** Null for an admin's provider; the user's id for a user's own bucket. */
  owner_user_id: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface UserProvidersTable {
  /** One row per user at most: the provider that user's devices upload to. */
  user_id: string;
  provider_id: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface MediaUploadsTable {
  /** The cloud's recording id. */
  recording_id: string;
  kind: "clip" | "thumbnail";
  /** Where this upload goes (null = the deployment's configured store), fixed at the first presign. */
  provider_id: string | null;
  object_key: string;
  /** The storage service's multipart upload id, when the object goes in parts. */
  upload_id: string | null;
  created_at: EpochMs;
}

export interface EventDeletionsTable {
  /** The deleted (soft-deleted) event. */
  event_id: string;
  device_id: string;
  /** The agent's id of the event, as `event.delete` names it. */
  agent_event_id: string;
  requested_at: EpochMs;
  /** Its clips and thumbnail were removed from storage (and their keys cleared). */
  purged_at: EpochMs | null;
  /** The agent answered `event.delete`. */
  agent_told_at: EpochMs | null;
  attempts: number;
  last_error: string | null;
}

/**
 * Tables of migration 0008 that `CloudDatabase` (schema.ts) does not list yet; code reaches them
 * through `db.withTables<StorageExtraTables>()` until it does.
 */
// A type alias, not an interface: kysely's withTables wants an index-signature-compatible type.
export type StorageExtraTables = {
  event_deletions: EventDeletionsTable;
};
