import type { CameraConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Clock, TimerHandle } from "../capture/clock.js";
import type { RingHold, SegmentRing } from "../capture/ring-buffer.js";
import type { Segment } from "../capture/segment.js";
import type { MotionEvent, TrackerTransition } from "../motion/event-tracker.js";
import { planClip } from "../recording/clip-plan.js";
import type { EventsRepo, StoredEvent } from "../store/events-repo.js";
import { newId } from "../store/ids.js";
import type { StoredRecording } from "../store/recordings-repo.js";
import type { NewWarningInput } from "../store/warnings-repo.js";
import { type EventClipsResult, type EventFiles, writeEventClips } from "./event-clips.js";
import { endMetadata, eventScore, progressMetadata } from "./event-metadata.js";

/** An ended event as committed: the row and its clips. */
export interface FinishedEvent {
  event: StoredEvent;
  recordings: StoredRecording[];
}

export interface MotionEventRecorderOptions {
  camera: CameraConfig;
  ring: SegmentRing;
  events: EventsRepo;
  clock: Clock;
  log: Logger;
  clipsDir: string;
  tools: { ffmpegPath?: string; ffprobePath?: string };
  /** Shortest time between two progress writes of an open event. */
  updateIntervalMs: number;
  /** Resolves once capture has stopped: waiting for the ring gives up then. */
  closed: Promise<void>;
  /** Runs an ffmpeg job after the camera's others. */
  serialised: <T>(job: () => Promise<T>) => Promise<T>;
  /** Called once the event is open (its row insert is under way). */
  onStarted: (event: { id: string; startedAt: number }) => void;
  /** Called once the event's end and its clips are committed. */
  onEnded: (done: FinishedEvent) => void;
}

/** The motion event in progress. */
interface ActiveEvent {
  id: string;
  startedAt: number;
  /** Keeps the ring's segments from `startedAt − preRoll` until the clip is written. */
  hold: RingHold | undefined;
  /** This event's database writes in order: insert, progress updates. */
  writes: Promise<void>;
  latest: MotionEvent;
  lastWriteAt: number;
  updateTimer: TimerHandle | undefined;
}

/**
 * A camera's motion events from the tracker's transitions: the row is inserted at the start,
 * updated at most every `updateIntervalMs` while the event lasts, and at the end the clips are
 * written and committed with the event's end in one transaction.
 */
export class MotionEventRecorder {
  readonly #o: MotionEventRecorderOptions;
  readonly #pending = new Set<Promise<unknown>>();
  #active: ActiveEvent | undefined;

  constructor(opts: MotionEventRecorderOptions) {
    this.#o = opts;
  }

  /** Whether a motion event is open. */
  get active(): boolean {
    return this.#active !== undefined;
  }

  apply(transitions: readonly TrackerTransition[]): void {
    for (const t of transitions) {
      if (t.kind === "start") this.#startEvent(t.event);
      else if (t.kind === "update") this.#progress(t.event);
      else this.#endEvent(t);
    }
  }

  /** Until every ended event is committed (or has failed). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  /** Until the ring has a segment ending at or after `toMs`, the camera gives up, or capture stops. */
  async waitForRing(toMs: number, signal?: AbortSignal): Promise<void> {
    const segMs = this.#o.camera.recording.segmentSeconds * 1000;
    const timeoutMs = Math.max(0, toMs - this.#o.clock.now()) + 3 * segMs + 10_000;
    const aborted = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([this.#o.ring.waitFor(toMs, timeoutMs), this.#o.closed, aborted]);
  }

  #startEvent(ev: MotionEvent): void {
    const { camera, log } = this.#o;
    const rec = camera.recording;
    const active: ActiveEvent = {
      id: newId(),
      startedAt: Math.round(ev.startMs),
      hold: rec.enabled ? this.#o.ring.hold(ev.startMs - rec.preRollSeconds * 1000) : undefined,
      writes: Promise.resolve(),
      latest: ev,
      lastWriteAt: this.#o.clock.now(),
      updateTimer: undefined,
    };
    this.#active = active;
    active.writes = this.#o.events
      .insert({
        id: active.id,
        cameraId: camera.id,
        type: "motion",
        startedAt: active.startedAt,
        score: eventScore(ev),
        metadata: progressMetadata(ev),
      })
      .then(
        () => undefined,
        // The end inserts the row if this failed: the event is not lost.
        (err: unknown) => log.error({ err, eventId: active.id }, "cannot record the event's start"),
      );
    log.info({ eventId: active.id, startedAt: active.startedAt }, "motion event started");
    this.#o.onStarted({ id: active.id, startedAt: active.startedAt });
  }

  #progress(ev: MotionEvent): void {
    const { clock, events, log } = this.#o;
    const active = this.#active;
    if (!active) return;
    active.latest = ev;
    if (active.updateTimer !== undefined) return;
    const wait = Math.max(0, active.lastWriteAt + this.#o.updateIntervalMs - clock.now());
    active.updateTimer = clock.setTimeout(() => {
      active.updateTimer = undefined;
      if (this.#active !== active) return;
      active.lastWriteAt = clock.now();
      const latest = active.latest;
      active.writes = active.writes.then(() =>
        events
          .update(active.id, { score: eventScore(latest), metadata: progressMetadata(latest) })
          .catch((err: unknown) => log.warn({ err, eventId: active.id }, "cannot update the event")),
      );
    }, wait);
  }

  #endEvent(t: Extract<TrackerTransition, { kind: "end" }>): void {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    if (active.updateTimer !== undefined) this.#o.clock.clearTimeout(active.updateTimer);
    const tracked = this.#finish(active, t)
      .catch(() => undefined)
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Wait for the post-roll, write the clips, then commit the end and the clips in one transaction. */
  async #finish(active: ActiveEvent, t: Extract<TrackerTransition, { kind: "end" }>): Promise<void> {
    const { camera, log } = this.#o;
    const rec = camera.recording;
    const ev = t.event;
    const endMs = Math.max(active.startedAt, Math.round(t.endMs));
    let clips: EventClipsResult = { recordings: [], thumbnail: null, errors: [] };
    try {
      if (rec.enabled) {
        const windowStart = active.startedAt - rec.preRollSeconds * 1000;
        const windowEnd = Math.min(endMs + rec.postRollSeconds * 1000, windowStart + rec.maxSeconds * 1000);
        await this.waitForRing(windowEnd);
        const plan = planClip(
          this.#o.ring.covering(windowStart, windowEnd),
          { startMs: active.startedAt, endMs },
          {
            preRollSeconds: rec.preRollSeconds,
            postRollSeconds: rec.postRollSeconds,
            maxSeconds: rec.maxSeconds,
          },
        );
        const segments: Segment[] = plan.parts.flatMap((p) => p.segments);
        clips = await this.#o.serialised(() =>
          writeEventClips(this.#files(active.id, active.startedAt), plan, segments, ev.peakMs, log),
        );
      }
    } catch (err) {
      log.warn({ err, eventId: active.id }, "cannot plan the event's clip");
      clips.errors.push((err as Error).message);
    }
    await active.writes;
    const warnings: NewWarningInput[] = clips.errors.length
      ? [
          {
            kind: "clip-write-failed",
            cameraId: camera.id,
            eventId: active.id,
            message: `the event's clip is ${clips.recordings.length ? "incomplete" : "missing"}`,
            data: { errors: clips.errors },
          },
        ]
      : [];
    try {
      const done = await this.#o.events.finish(
        { id: active.id, cameraId: camera.id, type: "motion", startedAt: active.startedAt },
        {
          endedAt: endMs,
          score: eventScore(ev),
          metadata: endMetadata(ev, t.reason, clips.errors),
          thumbnail: clips.thumbnail,
        },
        clips.recordings,
        warnings,
      );
      log.info(
        { eventId: active.id, durationMs: done.event.durationMs, clips: done.recordings.length },
        "motion event ended",
      );
      this.#o.onEnded(done);
    } catch (err) {
      log.error({ err, eventId: active.id }, "cannot record the event's end");
    } finally {
      active.hold?.release();
    }
  }

  #files(eventId: string, startedAt: number): EventFiles {
    return { clipsDir: this.#o.clipsDir, cameraId: this.#o.camera.id, eventId, startedAt, ...this.#o.tools };
  }
}
