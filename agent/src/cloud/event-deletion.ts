import { rm } from "node:fs/promises";
import { ApiError } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { EventsRepo } from "../store/events-repo.js";
import type { RecordingsRepo } from "../store/recordings-repo.js";

/** The `clip.deleted` reason of a clip its owner deleted in the cloud. */
export const OWNER_DELETE_REASON = "owner";

export interface EventDeletionOptions {
  events: Pick<EventsRepo, "get" | "remove">;
  recordings: Pick<RecordingsRepo, "get" | "byEvent" | "removeMany">;
  /** Stop uploads of these clips before their files go (the uploader's `cancel`); none when absent. */
  cancelUploads?: (recordingIds: readonly string[]) => Promise<void>;
  log: Pick<Logger, "info" | "warn">;
}

/** The `event.delete` answer. */
export interface EventDeleted {
  eventId: string;
  clipsDeleted: number;
}

/** The `recording.delete` answer. */
export interface RecordingDeleted {
  recordingId: string;
  clipsDeleted: number;
}

/** Remove a file; one that is already gone is fine (a repeat, or retention was first). */
async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * The `event.delete` command: the owner deleted an event in the cloud, so the agent removes that
 * event's clips and thumbnail from its disk and forgets the event.
 *
 * - Files first, rows after (as retention does): a crash in between leaves rows whose files are
 *   missing, which the start-up check turns into `clip.deleted` facts; the other order would leave
 *   files nothing points at any more.
 * - Rows go through `RecordingsRepo.removeMany`, which queues a `clip.deleted` (reason `owner`,
 *   `uploaded` as it was) per clip in the same transaction, but NO "deleted before it was
 *   uploaded" warning: losing the only copy is what the owner asked for, not an accident.
 * - Pinned does not protect the event: pinning guards against retention, the owner's explicit
 *   delete wins.
 * - Idempotent: the cloud delivers commands at least once; an unknown event answers 0 clips.
 * - An event still recording is refused (E_CONFLICT): its clips are not written yet (they are
 *   assembled when it ends), so deleting now would miss them and the event would come back with
 *   its `event.ended`. Ending it early from here would cut a live recording the owner may not
 *   mean to stop; the cloud may send the delete again once the event has ended.
 */
export class EventDeletion {
  readonly #o: EventDeletionOptions;

  constructor(opts: EventDeletionOptions) {
    this.#o = opts;
  }

  async delete(eventId: string): Promise<EventDeleted> {
    const { events, recordings, log } = this.#o;
    const event = await events.get(eventId);
    if (!event) return { eventId, clipsDeleted: 0 };
    if (event.endedAt === null) {
      throw new ApiError(
        "E_CONFLICT",
        `event ${eventId} is still recording; delete it again once it has ended`,
      );
    }
    const clips = await recordings.byEvent(eventId);
    const ids = clips.map((c) => c.id);
    await this.#o.cancelUploads?.(ids);
    for (const clip of clips) await removeFile(clip.filePath);
    if (event.thumbnailPath) await removeFile(event.thumbnailPath);
    const removed = await recordings.removeMany(ids, () => undefined, OWNER_DELETE_REASON);
    await events.remove(eventId);
    log.info(
      { eventId, cameraId: event.cameraId, clipsDeleted: removed.length, pinned: event.pinned },
      "event deleted by its owner",
    );
    return { eventId, clipsDeleted: removed.length };
  }

  /**
   * The `recording.delete` command: the owner deleted one clip in the cloud. As for an event, the
   * upload stops, the file goes, then the row (with a `clip.deleted` fact, reason `owner`, and no
   * warning). The first clip of an event carries the event's thumbnail file (as for retention),
   * which goes with it. The event itself stays, even while it is still recording: a finished clip
   * is complete on its own. Idempotent: an unknown clip answers 0.
   */
  async deleteRecording(recordingId: string): Promise<RecordingDeleted> {
    const { events, recordings, log } = this.#o;
    const clip = await recordings.get(recordingId);
    if (!clip) return { recordingId, clipsDeleted: 0 };
    await this.#o.cancelUploads?.([recordingId]);
    await removeFile(clip.filePath);
    const event = clip.index === 0 && clip.eventId !== null ? await events.get(clip.eventId) : undefined;
    if (event?.thumbnailPath) await removeFile(event.thumbnailPath);
    const removed = await recordings.removeMany([recordingId], () => undefined, OWNER_DELETE_REASON);
    log.info({ recordingId, cameraId: clip.cameraId, eventId: clip.eventId }, "clip deleted by its owner");
    return { recordingId, clipsDeleted: removed.length };
  }
}
