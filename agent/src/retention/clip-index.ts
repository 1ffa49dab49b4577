import type { RetentionClip } from "./policy.js";

/** A local clip with its files, as the store lists it for retention. */
export interface ClipInfo extends RetentionClip {
  /** The clip file; must lie inside the guard's clips directory. */
  path: string;
  /** Its JPEG thumbnail, when one was made. */
  thumbnailPath?: string | null;
}

/**
 * The store's side of retention (implemented by the store over the recordings table). `remove` is
 * called after the files are gone; it deletes the row and, in the same transaction, queues the
 * outbox facts — including the warning event when `uploaded` is false (the only copy was lost).
 */
export interface ClipIndex {
  list(): Promise<ClipInfo[]>;
  remove(id: string, reason: string, uploaded: boolean): Promise<void>;
}
