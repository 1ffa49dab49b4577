/** One local clip as retention sees it. */
export interface RetentionClip {
  id: string;
  cameraId: string;
  /** Epoch ms. */
  startedAt: number;
  /** Bytes freed by deleting it (clip and thumbnail). */
  sizeBytes: number;
  /** The user asked to keep it: survives the age limit, deleted for space only after unpinned ones. */
  pinned: boolean;
  /** A copy is in the cloud, so deleting the local one loses nothing. */
  uploaded: boolean;
}

/** `storage` of the agent config, named as retention uses it. */
export interface RetentionSettings {
  /** Unpinned clips older than this are deleted. */
  storageDays: number;
  /** All clips together stay within this many MiB. */
  maxDiskMB: number;
  /** Free space always left on the disk, in MiB, so recording never stops. */
  minFreeMB: number;
}

export type DeletionReason = "age" | "disk-budget" | "free-space";

export interface RetentionDeletion {
  id: string;
  cameraId: string;
  reason: DeletionReason;
  /** false: the only copy is lost, the caller records a warning event (and notifies). */
  uploaded: boolean;
  pinned: boolean;
  sizeBytes: number;
}

export interface RetentionPlan {
  /** In the order to perform them: age first, then by the space priority. */
  deletions: RetentionDeletion[];
  /** Bytes still above `maxDiskMB` after the plan: >0 only when nothing is left to delete. */
  budgetExcessBytes: number;
  /** Bytes still missing to reach `minFreeMB` after the plan: >0 means the disk is full of other things. */
  freeShortfallBytes: number;
}

export interface RetentionInput {
  clips: readonly RetentionClip[];
  settings: RetentionSettings;
  /** Epoch ms. */
  now: number;
  disk: { freeBytes: number };
}

/** MiB, as `storage.maxDiskMB`/`minFreeMB` and `df -m` count. */
export const MB = 1024 * 1024;
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Decide which clips to delete and why (pure; the storage guard performs it).
 *
 * 1. Age: every unpinned clip older than `storageDays` (pinned clips are kept however old).
 * 2. Space: while the clips exceed `maxDiskMB` or free space is below `minFreeMB`, delete in this
 *    order — uploaded before not uploaded (the cloud has a copy), then unpinned before pinned,
 *    then oldest first — and stop as soon as both hold: never more than needed.
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  const { settings, now } = input;
  const budget = settings.maxDiskMB * MB;
  const minFree = settings.minFreeMB * MB;
  const cutoff = now - settings.storageDays * DAY_MS;

  const deletions: RetentionDeletion[] = [];
  let total = 0;
  let free = input.disk.freeBytes;
  const kept: RetentionClip[] = [];
  for (const clip of [...input.clips].sort(byAge)) {
    if (!clip.pinned && clip.startedAt < cutoff) {
      deletions.push(deletion(clip, "age"));
      free += clip.sizeBytes;
    } else {
      kept.push(clip);
      total += clip.sizeBytes;
    }
  }

  for (const clip of kept.sort(bySpacePriority)) {
    const overBudget = total > budget;
    if (!overBudget && free >= minFree) break;
    deletions.push(deletion(clip, overBudget ? "disk-budget" : "free-space"));
    total -= clip.sizeBytes;
    free += clip.sizeBytes;
  }
  return {
    deletions,
    budgetExcessBytes: Math.max(0, total - budget),
    freeShortfallBytes: Math.max(0, minFree - free),
  };
}

function deletion(clip: RetentionClip, reason: DeletionReason): RetentionDeletion {
  const { id, cameraId, uploaded, pinned, sizeBytes } = clip;
  return { id, cameraId, reason, uploaded, pinned, sizeBytes };
}

/** Oldest first; the id breaks ties so the plan is the same for the same input. */
function byAge(a: RetentionClip, b: RetentionClip): number {
  return a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function bySpacePriority(a: RetentionClip, b: RetentionClip): number {
  return (
    Number(a.uploaded === false) - Number(b.uploaded === false) ||
    Number(a.pinned) - Number(b.pinned) ||
    byAge(a, b)
  );
}
