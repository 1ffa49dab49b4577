import { EventEmitter } from "node:events";
import type { CameraConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type Clock, systemClock, type TimerHandle } from "../capture/clock.js";
import type { AnalysisFrame } from "../capture/frame-reader.js";
import type { RingHold } from "../capture/ring-buffer.js";
import type { Segment } from "../capture/segment.js";
import { CaptureSession, type CaptureStatus, type OnvifResolver } from "../capture/supervisor.js";
import type { AgentModule } from "../module.js";
import { MotionDetector } from "../motion/detector.js";
import { EventTracker, type MotionEvent, type TrackerTransition } from "../motion/event-tracker.js";
import { planClip } from "../recording/clip-plan.js";
import { RecordingError } from "../recording/recording-error.js";
import { snapshotBuffer } from "../recording/snapshot.js";
import type { EventsRepo, StoredEvent } from "../store/events-repo.js";
import { newId } from "../store/ids.js";
import type { StoredRecording } from "../store/recordings-repo.js";
import type { NewWarningInput } from "../store/warnings-repo.js";
import { CameraError } from "./camera-error.js";
import { clipsDir, ringDir } from "./clip-paths.js";
import type { CameraState, ManualRecordingResult } from "./control.js";
import { type EventClipsResult, type EventFiles, writeEventClips } from "./event-clips.js";
import { endMetadata, eventScore, progressMetadata } from "./event-metadata.js";
import { FpsWindow } from "./fps-window.js";
import { recordManualEvent } from "./manual-event.js";

export interface CameraPipelineOptions {
  camera: CameraConfig;
  stateDir: string;
  events: EventsRepo;
  log: Logger;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
  resolveOnvif?: OnvifResolver;
  /** Latest event start known from the database (shown as `lastEventAt` until the next event). */
  lastEventAt?: number | null;
  /** Called after an event's clips are committed, e.g. for the storage guard to sweep. */
  onClipsWritten?: () => void;
  /** Shortest time between two progress writes of an open event (default 2 s). */
  updateIntervalMs?: number;
}

/** An ended event as committed: the row and its clips. */
export interface FinishedEvent {
  event: StoredEvent;
  recordings: StoredRecording[];
}

type PipelineEvents = { eventStarted: [{ id: string; startedAt: number }]; eventEnded: [FinishedEvent] };

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
 * One camera, end to end: capture → analysis frames → motion detector → event tracker → event rows
 * and clips. The per-frame path only runs the detector and the tracker; the database is written at
 * an event's start, at most every `updateIntervalMs` while it lasts, and once (one transaction with
 * its clips) when it ends.
 */
export class CameraPipeline extends EventEmitter<PipelineEvents> implements AgentModule {
  readonly name: string;
  readonly camera: CameraConfig;
  readonly capture: CaptureSession;
  readonly #o: CameraPipelineOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #clipsDir: string;
  readonly #tracker: EventTracker;
  readonly #fps = new FpsWindow(5_000);
  readonly #updateIntervalMs: number;
  readonly #pending = new Set<Promise<unknown>>();
  #detector: MotionDetector | undefined;
  #active: ActiveEvent | undefined;
  #manual = 0;
  #lastEventAt: number | null;
  /** ffmpeg jobs of this camera, one at a time. */
  #jobs: Promise<unknown> = Promise.resolve();
  #stopping = false;
  #frameErrorLogged = false;
  #captureClosed!: () => void;
  readonly #closed = new Promise<void>((resolve) => {
    this.#captureClosed = resolve;
  });

  constructor(opts: CameraPipelineOptions) {
    super();
    const cam = opts.camera;
    this.#o = opts;
    this.camera = cam;
    this.name = `camera:${cam.id}`;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log;
    this.#clipsDir = clipsDir(opts.stateDir);
    this.#lastEventAt = opts.lastEventAt ?? null;
    this.#updateIntervalMs = opts.updateIntervalMs ?? 2_000;
    this.#tracker = new EventTracker({
      minDurationMs: cam.motion.minDurationMs,
      eventGapMs: cam.motion.eventGapSeconds * 1000,
      maxDurationMs: cam.recording.maxSeconds * 1000,
    });
    this.capture = new CaptureSession({
      camera: cam,
      ringDir: ringDir(opts.stateDir, cam.id),
      log: opts.log,
      clock: this.#clock,
      ...(opts.ffmpegPath && { ffmpegPath: opts.ffmpegPath }),
      ...(opts.resolveOnvif && { resolveOnvif: opts.resolveOnvif }),
    });
  }

  async start(signal?: AbortSignal): Promise<void> {
    this.capture.on("frame", this.#onFrame);
    this.capture.on("status", this.#onStatus);
    await this.capture.start(signal);
  }

  /** End the open event (its clip from what the ring holds), stop ffmpeg, wait for clip writing. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#apply(this.#tracker.flush(this.#clock.now()));
    try {
      await this.capture.stop();
    } finally {
      this.#captureClosed();
      this.capture.off("frame", this.#onFrame);
      this.capture.off("status", this.#onStatus);
    }
    await Promise.allSettled([...this.#pending]);
  }

  state(): CameraState {
    const s = this.capture.status();
    return {
      id: this.camera.id,
      name: this.camera.name,
      enabled: true,
      status: s.state,
      reason: s.reason,
      analysisFps: Math.round(this.#fps.rate(this.#clock.now()) * 10) / 10,
      eventActive: this.#active !== undefined || this.#manual > 0,
      lastEventAt: this.#lastEventAt,
    };
  }

  /** The current picture at full resolution, from the newest ring segment. */
  async snapshot(): Promise<Buffer> {
    this.#assertOnline();
    try {
      return await snapshotBuffer([...this.capture.ring.segments()], this.#toolOpts());
    } catch (err) {
      if (err instanceof RecordingError && err.code === "HC_ERR_RECORDING_NO_SEGMENTS") {
        throw new CameraError(
          "HC_ERR_CAMERA_OFFLINE",
          `camera ${this.camera.id} has recorded no video yet; try again in a few seconds`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** Record `[now − preRoll, now + seconds]` as a `manual` event; resolves when the clip is written. */
  async recordNow(seconds: number, signal?: AbortSignal): Promise<ManualRecordingResult> {
    this.#assertOnline();
    this.#manual++;
    const work = recordManualEvent({
      seconds,
      cameraId: this.camera.id,
      recording: this.camera.recording,
      clipsDir: this.#clipsDir,
      ring: this.capture.ring,
      events: this.#o.events,
      clock: this.#clock,
      log: this.#log,
      waitForRing: (toMs, s) => this.#waitForRing(toMs, s),
      serialised: (job) => this.#serialised(job),
      tools: this.#toolOpts(),
      ...(signal && { signal }),
      onStarted: (ev) => {
        this.#lastEventAt = ev.startedAt;
        this.emit("eventStarted", ev);
      },
    });
    this.#track(work);
    try {
      const done = await work;
      this.emit("eventEnded", done);
      if (done.recordings.length > 0) this.#o.onClipsWritten?.();
      return {
        eventId: done.event.id,
        recordings: done.recordings.map((r) => ({
          id: r.id,
          path: r.filePath,
          durationMs: r.durationMs,
          sizeBytes: r.sizeBytes,
        })),
      };
    } finally {
      this.#manual--;
    }
  }

  // ---- the per-frame path: detector and tracker only ----

  readonly #onFrame = (frame: AnalysisFrame): void => {
    this.#fps.push(frame.timestampMs);
    if (this.#stopping || !this.camera.motion.enabled) return;
    try {
      let detector = this.#detector;
      if (!detector || detector.width !== frame.width || detector.height !== frame.height) {
        detector = new MotionDetector({
          width: frame.width,
          height: frame.height,
          sensitivity: this.camera.motion.sensitivity,
          zones: this.camera.motion.zones,
        });
        this.#detector = detector;
      }
      const transitions = this.#tracker.push(
        detector.process(frame.data, frame.timestampMs),
        frame.timestampMs,
      );
      if (transitions.length > 0) this.#apply(transitions);
    } catch (err) {
      // A frame handler must never throw into the pipe reader; one log line, not one per frame.
      if (!this.#frameErrorLogged) this.#log.error({ err }, "motion analysis failed on a frame");
      this.#frameErrorLogged = true;
    }
  };

  readonly #onStatus = (status: CaptureStatus): void => {
    if (status.state === "online") return;
    // The camera went away: end the open event at its last motion rather than leave it open for as
    // long as the outage lasts; the background is re-learnt when frames return.
    this.#apply(this.#tracker.flush(this.#clock.now()));
    this.#detector?.reset();
    this.#fps.reset();
  };

  #apply(transitions: readonly TrackerTransition[]): void {
    for (const t of transitions) {
      if (t.kind === "start") this.#startEvent(t.event);
      else if (t.kind === "update") this.#progress(t.event);
      else this.#endEvent(t);
    }
  }

  #startEvent(ev: MotionEvent): void {
    const rec = this.camera.recording;
    const active: ActiveEvent = {
      id: newId(),
      startedAt: Math.round(ev.startMs),
      hold: rec.enabled ? this.capture.ring.hold(ev.startMs - rec.preRollSeconds * 1000) : undefined,
      writes: Promise.resolve(),
      latest: ev,
      lastWriteAt: this.#clock.now(),
      updateTimer: undefined,
    };
    this.#active = active;
    this.#lastEventAt = active.startedAt;
    active.writes = this.#o.events
      .insert({
        id: active.id,
        cameraId: this.camera.id,
        type: "motion",
        startedAt: active.startedAt,
        score: eventScore(ev),
        metadata: progressMetadata(ev),
      })
      .then(
        () => undefined,
        // The end inserts the row if this failed: the event is not lost.
        (err: unknown) => this.#log.error({ err, eventId: active.id }, "cannot record the event's start"),
      );
    this.#log.info({ eventId: active.id, startedAt: active.startedAt }, "motion event started");
    this.emit("eventStarted", { id: active.id, startedAt: active.startedAt });
  }

  #progress(ev: MotionEvent): void {
    const active = this.#active;
    if (!active) return;
    active.latest = ev;
    if (active.updateTimer !== undefined) return;
    const wait = Math.max(0, active.lastWriteAt + this.#updateIntervalMs - this.#clock.now());
    active.updateTimer = this.#clock.setTimeout(() => {
      active.updateTimer = undefined;
      if (this.#active !== active) return;
      active.lastWriteAt = this.#clock.now();
      const latest = active.latest;
      active.writes = active.writes.then(() =>
        this.#o.events
          .update(active.id, { score: eventScore(latest), metadata: progressMetadata(latest) })
          .catch((err: unknown) => this.#log.warn({ err, eventId: active.id }, "cannot update the event")),
      );
    }, wait);
  }

  #endEvent(t: Extract<TrackerTransition, { kind: "end" }>): void {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    if (active.updateTimer !== undefined) this.#clock.clearTimeout(active.updateTimer);
    this.#track(this.#finish(active, t));
  }

  /** Wait for the post-roll, write the clips, then commit the end and the clips in one transaction. */
  async #finish(active: ActiveEvent, t: Extract<TrackerTransition, { kind: "end" }>): Promise<void> {
    const rec = this.camera.recording;
    const ev = t.event;
    const endMs = Math.max(active.startedAt, Math.round(t.endMs));
    let clips: EventClipsResult = { recordings: [], thumbnail: null, errors: [] };
    try {
      if (rec.enabled) {
        const windowStart = active.startedAt - rec.preRollSeconds * 1000;
        const windowEnd = Math.min(endMs + rec.postRollSeconds * 1000, windowStart + rec.maxSeconds * 1000);
        await this.#waitForRing(windowEnd);
        const plan = planClip(
          this.capture.ring.covering(windowStart, windowEnd),
          { startMs: active.startedAt, endMs },
          {
            preRollSeconds: rec.preRollSeconds,
            postRollSeconds: rec.postRollSeconds,
            maxSeconds: rec.maxSeconds,
          },
        );
        const segments: Segment[] = plan.parts.flatMap((p) => p.segments);
        clips = await this.#serialised(() =>
          writeEventClips(this.#files(active.id, active.startedAt), plan, segments, ev.peakMs, this.#log),
        );
      }
    } catch (err) {
      this.#log.warn({ err, eventId: active.id }, "cannot plan the event's clip");
      clips.errors.push((err as Error).message);
    }
    await active.writes;
    const warnings: NewWarningInput[] = clips.errors.length
      ? [
          {
            kind: "clip-write-failed",
            cameraId: this.camera.id,
            eventId: active.id,
            message: `the event's clip is ${clips.recordings.length ? "incomplete" : "missing"}`,
            data: { errors: clips.errors },
          },
        ]
      : [];
    try {
      const done = await this.#o.events.finish(
        { id: active.id, cameraId: this.camera.id, type: "motion", startedAt: active.startedAt },
        {
          endedAt: endMs,
          score: eventScore(ev),
          metadata: endMetadata(ev, t.reason, clips.errors),
          thumbnail: clips.thumbnail,
        },
        clips.recordings,
        warnings,
      );
      this.#log.info(
        { eventId: active.id, durationMs: done.event.durationMs, clips: done.recordings.length },
        "motion event ended",
      );
      this.emit("eventEnded", done);
      if (done.recordings.length > 0) this.#o.onClipsWritten?.();
    } catch (err) {
      this.#log.error({ err, eventId: active.id }, "cannot record the event's end");
    } finally {
      active.hold?.release();
    }
  }

  /** Until the ring has a segment ending at or after `toMs`, the camera gives up, or capture stops. */
  async #waitForRing(toMs: number, signal?: AbortSignal): Promise<void> {
    const segMs = this.camera.recording.segmentSeconds * 1000;
    const timeoutMs = Math.max(0, toMs - this.#clock.now()) + 3 * segMs + 10_000;
    const aborted = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([this.capture.ring.waitFor(toMs, timeoutMs), this.#closed, aborted]);
  }

  #serialised<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#jobs.then(job, job);
    this.#jobs = run.catch(() => undefined);
    return run;
  }

  #track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #files(eventId: string, startedAt: number): EventFiles {
    return { clipsDir: this.#clipsDir, cameraId: this.camera.id, eventId, startedAt, ...this.#toolOpts() };
  }

  #toolOpts(): { ffmpegPath?: string; ffprobePath?: string } {
    return {
      ...(this.#o.ffmpegPath && { ffmpegPath: this.#o.ffmpegPath }),
      ...(this.#o.ffprobePath && { ffprobePath: this.#o.ffprobePath }),
    };
  }

  #assertOnline(): void {
    if (this.#stopping)
      throw new CameraError("HC_ERR_CAMERA_STOPPED", `camera ${this.camera.id} is stopping`);
    const s = this.capture.status();
    if (s.state !== "online") {
      throw new CameraError(
        "HC_ERR_CAMERA_OFFLINE",
        `camera ${this.camera.id} is ${s.state}${s.reason ? `: ${s.reason}` : ""}`,
      );
    }
  }
}
