import type { DeviceCommand } from "../rendezvous/context.js";
import type { DeletionLedger, DeletionWork } from "./deletion-ledger.js";

// What the deletion follow-up (event-deletion.ts) needs to know about one kind of owner deletion:
// a whole event, or one recording. Everything else — queueing, retries, asking an offline agent
// again when it comes back — is the same for both.

/** One stored object of a deleted event or recording, and the provider it was written to. */
export interface StoredObject {
  kind: "clip" | "thumbnail";
  /** Recording id for a clip, event id for the thumbnail. */
  ownerId: string;
  key: string;
  providerId: string | null;
  /** Set when the object is an unfinished multipart upload. */
  uploadId?: string;
}

export interface DeletionTarget {
  /** Names the queue keys and logs. */
  kind: "event" | "recording";
  ledger: DeletionLedger;
  /** Note the follow-up of a soft-deleted target (once; a repeat changes nothing). */
  request(targetId: string, now: number): Promise<void>;
  /** Rows for soft-deleted targets that have none (the process stopped between delete and signal). */
  adoptMissing(): Promise<void>;
  /** Every object of the target still referenced by the index, including unfinished uploads. */
  objectsOf(targetId: string): Promise<StoredObject[]>;
  /** The objects are gone: clear their keys and mark the row purged, in one transaction. */
  markPurged(targetId: string, now: number): Promise<void>;
  /** The command that tells the agent. */
  command(work: DeletionWork): DeviceCommand;
}
