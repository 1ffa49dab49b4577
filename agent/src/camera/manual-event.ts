import type { RecordingSettings } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Clock } from "../capture/clock.js";
import type { SegmentRing } from "../capture/ring-buffer.js";
import { MAX_MANUAL_SECONDS, recordNow } from "../recording/manual-recording.js";
import { RecordingError } from "../recording/recording-error.js";
import { writeThumbnail } from "../recording/thumbnail.js";
import type { EventMetadata, EventsRepo, StoredEvent } from "../store/events-repo.js";
import { newId } from "../store/ids.js";
import type { NewRecordingInput, StoredRecording } from "../store/recordings-repo.js";
import { thumbnailFile } from "./clip-paths.js";
import { type EventFiles, recordingInput, writeEventPart } from "./event-clips.js";

export interface ManualEventInput {
  seconds: number;
  cameraId: string;
  recording: Pick<RecordingSettings, "preRollSeconds">;
  clipsDir: string;
  ring: SegmentRing;
  events: EventsRepo;
  clock: Clock;
  log: Pick<Logger, "info" | "warn">;
  /** Resolves once the ring covers `toMs`, the camera gave up, capture stopped or `signal` aborted. */
  waitForRing: (toMs: number, signal?: AbortSignal) => Promise<void>;
  /** Runs an ffmpeg job after the camera's others. */
  serialised: <T>(job: () => Promise<T>) => Promise<T>;
  tools: { ffmpegPath?: string; ffprobePath?: string };
  signal?: AbortSignal;
  /** Called once the open event row exists. */
  onStarted?: (event: { id: string; startedAt: number }) => void;
}

/**
 * A `manual` event: its row is inserted first (open, with the planned end, so a crash leaves a
 * trace that recovery can close), the clip is cut from the ring once it covers the end, then the
 * end, clips and thumbnail are committed in one transaction. On failure the event is still ended
 * (with what was written) and the error is thrown to the caller.
 */
export async function recordManualEvent(m: ManualEventInput): Promise<{
  event: StoredEvent;
  recordings: StoredRecording[];
}> {
  if (!Number.isFinite(m.seconds) || m.seconds <= 0 || m.seconds > MAX_MANUAL_SECONDS) {
    throw new RecordingError(
      "HC_ERR_RECORDING_INVALID_ARGUMENT",
      `recording length must be in (0, ${MAX_MANUAL_SECONDS}] seconds, got ${m.seconds}`,
    );
  }
  const preRollSeconds = m.recording.preRollSeconds;
  const startedAt = Math.round(m.clock.now());
  const plannedEndMs = startedAt + Math.round(m.seconds * 1000);
  const id = newId();
  const base = { id, cameraId: m.cameraId, type: "manual" as const, startedAt };
  await m.events.insert({ ...base, metadata: { plannedEndMs } });
  m.log.info({ eventId: id, seconds: m.seconds }, "manual recording started");
  m.onStarted?.({ id, startedAt });
  const hold = m.ring.hold(startedAt - preRollSeconds * 1000);
  const files: EventFiles = {
    clipsDir: m.clipsDir,
    cameraId: m.cameraId,
    eventId: id,
    startedAt,
    ...m.tools,
  };
  const recordings: NewRecordingInput[] = [];
  let thumbnail: { path: string; sizeBytes: number } | null = null;
  let failure: unknown;
  try {
    const result = await recordNow(
      m.seconds,
      {
        now: () => startedAt,
        waitForSegments: async (toMs, signal) => {
          await m.waitForRing(toMs, signal);
          return [...m.ring.segments()];
        },
        writePart: (part) =>
          m.serialised(async () => {
            const clip = await writeEventPart(files, part);
            recordings.push(recordingInput(part, clip));
            return clip;
          }),
      },
      { preRollSeconds, ...(m.signal && { signal: m.signal }) },
    );
    try {
      const segments = result.plan.parts.flatMap((p) => p.segments);
      const path = thumbnailFile(m.clipsDir, m.cameraId, startedAt, id);
      const jpeg = await m.serialised(() => writeThumbnail(segments, startedAt, path, m.tools));
      thumbnail = { path: jpeg.path, sizeBytes: jpeg.sizeBytes };
    } catch (err) {
      m.log.warn({ err, eventId: id }, "cannot write the manual recording's thumbnail");
    }
  } catch (err) {
    failure = err;
  }
  const lastEnd = recordings.reduce((t, r) => Math.max(t, r.endedAt), startedAt);
  const endedAt = Math.min(plannedEndMs, recordings.length > 0 ? lastEnd : m.clock.now());
  const metadata: EventMetadata = { plannedEndMs, endReason: "manual" };
  const clipError = failure === undefined ? undefined : String((failure as Error).message ?? failure);
  if (clipError !== undefined) metadata.clipError = clipError;
  try {
    const done = await m.events.finish(
      base,
      { endedAt, score: 0, metadata, thumbnail },
      recordings,
      clipError === undefined
        ? []
        : [
            {
              kind: "clip-write-failed",
              cameraId: m.cameraId,
              eventId: id,
              message: "the manual recording failed",
              data: { errors: [clipError] },
            },
          ],
    );
    if (failure !== undefined) throw failure;
    m.log.info({ eventId: id, clips: done.recordings.length }, "manual recording done");
    return done;
  } finally {
    hold.release();
  }
}
