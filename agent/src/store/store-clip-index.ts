import type { ClipIndex, ClipInfo } from "../retention/clip-index.js";
import type { RecordingsRepo } from "./recordings-repo.js";

/**
 * Retention's view of the store. `remove` runs after the guard deleted the files: one transaction
 * deletes the row, clears the event's thumbnail when it went with the clip, and, when the clip was
 * never uploaded, records a `clip-deleted-not-uploaded` warning (the only copy is lost).
 */
export class StoreClipIndex implements ClipIndex {
  readonly #recordings: RecordingsRepo;

  constructor(recordings: RecordingsRepo) {
    this.#recordings = recordings;
  }

  list(): Promise<ClipInfo[]> {
    return this.#recordings.forRetention();
  }

  async remove(id: string, reason: string, uploaded: boolean): Promise<void> {
    await this.#recordings.removeMany(
      [id],
      (r) =>
        uploaded
          ? undefined
          : {
              kind: "clip-deleted-not-uploaded",
              cameraId: r.cameraId,
              eventId: r.eventId,
              recordingId: r.id,
              message: `clip deleted (${reason}) before it was uploaded: the only copy is lost`,
              data: {
                reason,
                filePath: r.filePath,
                sizeBytes: r.sizeBytes,
                startedAt: r.startedAt,
                endedAt: r.endedAt,
              },
            },
      reason,
    );
  }
}
