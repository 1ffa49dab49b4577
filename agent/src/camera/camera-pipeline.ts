import { EventEmitter } from "node:events";
import type { CameraConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type Clock, systemClock } from "../capture/clock.js";
import type { AnalysisFrame } from "../capture/frame-reader.js";
import {
  type BrowserResolver,
  CaptureSession,
  type CaptureStatus,
  type OnvifResolver,
} from "../capture/supervisor.js";
import type { AgentModule } from "../module.js";
import { MotionDetector } from "../motion/detector.js";
import { EventTracker } from "../motion/event-tracker.js";
import { RecordingError } from "../recording/recording-error.js";
import { snapshotBuffer } from "../recording/snapshot.js";
import type { EventsRepo } from "../store/events-repo.js";
import { CameraError } from "./camera-error.js";
import { detectorChanged, isLiveChange } from "./camera-settings.js";
import { clipsDir, ringDir } from "./clip-paths.js";
import type { CameraState, ManualRecordingResult } from "./control.js";
import { FpsWindow } from "./fps-window.js";
import { recordManualEvent } from "./manual-event.js";
import { type FinishedEvent, MotionEventRecorder } from "./motion-event-recorder.js";
import { trackerOptionsFor } from "./tracker-options.js";

export type { FinishedEvent } from "./motion-event-recorder.js";

export interface CameraPipelineOptions {
  camera: CameraConfig;
  stateDir: string;
  events: EventsRepo;
  log: Logger;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
  resolveOnvif?: OnvifResolver;
  /** For `browser` cameras: the WHIP ingest's side of the capture. */
  resolveBrowser?: BrowserResolver;
  /** Latest event start known from the database (shown as `lastEventAt` until the next event). */
  lastEventAt?: number | null;
  /** Called after an event's clips are committed, e.g. for the storage guard to sweep. */
  onClipsWritten?: () => void;
  /** Shortest time between two progress writes of an open event (default 2 s). */
  updateIntervalMs?: number;
}

type PipelineEvents = { eventStarted: [{ id: string; startedAt: number }]; eventEnded: [FinishedEvent] };

/**
 * One camera, end to end: capture → analysis frames → motion detector → event tracker → event rows
 * and clips. The per-frame path only runs the detector and the tracker; the database is written at
 * an event's start, at most every `updateIntervalMs` while it lasts, and once (one transaction with
 * its clips) when it ends.
 */
export class CameraPipeline extends EventEmitter<PipelineEvents> implements AgentModule {
  readonly name: string;
  readonly capture: CaptureSession;
  readonly #o: CameraPipelineOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #clipsDir: string;
  readonly #tracker: EventTracker;
  readonly #recorder: MotionEventRecorder;
  readonly #fps = new FpsWindow(5_000);
  readonly #pending = new Set<Promise<unknown>>();
  #camera: CameraConfig;
  #detector: MotionDetector | undefined;
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
    this.#camera = cam;
    this.name = `camera:${cam.id}`;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log;
    this.#clipsDir = clipsDir(opts.stateDir);
    this.#lastEventAt = opts.lastEventAt ?? null;
    this.#tracker = new EventTracker(trackerOptionsFor(cam.motion, cam.recording));
    this.capture = new CaptureSession({
      camera: cam,
      ringDir: ringDir(opts.stateDir, cam.id),
      log: opts.log,
      clock: this.#clock,
      ...(opts.ffmpegPath && { ffmpegPath: opts.ffmpegPath }),
      ...(opts.resolveOnvif && { resolveOnvif: opts.resolveOnvif }),
      ...(opts.resolveBrowser && { resolveBrowser: opts.resolveBrowser }),
    });
    this.#recorder = new MotionEventRecorder({
      camera: cam,
      ring: this.capture.ring,
      events: opts.events,
      clock: this.#clock,
      log: opts.log,
      clipsDir: this.#clipsDir,
      tools: this.#toolOpts(),
      updateIntervalMs: opts.updateIntervalMs ?? 2_000,
      closed: this.#closed,
      serialised: (job) => this.#serialised(job),
      onStarted: (ev) => this.#started(ev),
      onEnded: (done) => this.#ended(done),
    });
  }

  /** The camera's current configuration (changes with {@link reconfigure}). */
  get camera(): CameraConfig {
    return this.#camera;
  }

  /** The motion detector in use (built at the first analysis frame; for diagnostics and tests). */
  get motionDetector(): MotionDetector | undefined {
    return this.#detector;
  }

  /**
   * Apply what a running pipeline takes in place (`isLiveChange`: name, motion on/off, sensitivity,
   * zones): new detector settings from the next frame (the background is re-learnt); motion off ends
   * the open event now. Throws for any other change: the caller restarts the pipeline instead.
   */
  reconfigure(next: CameraConfig): void {
    const prev = this.#camera;
    if (next.id !== prev.id || !isLiveChange(prev, next)) {
      throw new RangeError(`camera ${prev.id}: this change needs the pipeline restarted`);
    }
    this.#camera = next;
    if (prev.motion.enabled && !next.motion.enabled) {
      this.#recorder.apply(this.#tracker.flush(this.#clock.now()));
      this.#detector = undefined;
    }
    if (detectorChanged(prev.motion, next.motion)) this.#detector = undefined;
  }

  async start(signal?: AbortSignal): Promise<void> {
    this.capture.on("frame", this.#onFrame);
    this.capture.on("status", this.#onStatus);
    await this.capture.start(signal);
  }

  /** End the open event (its clip from what the ring holds), stop ffmpeg, wait for clip writing. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#recorder.apply(this.#tracker.flush(this.#clock.now()));
    try {
      await this.capture.stop();
    } finally {
      this.#captureClosed();
      this.capture.off("frame", this.#onFrame);
      this.capture.off("status", this.#onStatus);
    }
    await Promise.allSettled([...this.#pending, this.#recorder.drain()]);
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
      eventActive: this.#recorder.active || this.#manual > 0,
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
      waitForRing: (toMs, s) => this.#recorder.waitForRing(toMs, s),
      serialised: (job) => this.#serialised(job),
      tools: this.#toolOpts(),
      ...(signal && { signal }),
      onStarted: (ev) => this.#started(ev),
    });
    this.#track(work);
    try {
      const done = await work;
      this.#ended(done);
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
      if (transitions.length > 0) this.#recorder.apply(transitions);
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
    this.#recorder.apply(this.#tracker.flush(this.#clock.now()));
    this.#detector?.reset();
    this.#fps.reset();
  };

  #started(ev: { id: string; startedAt: number }): void {
    this.#lastEventAt = ev.startedAt;
    this.emit("eventStarted", ev);
  }

  #ended(done: FinishedEvent): void {
    this.emit("eventEnded", done);
    if (done.recordings.length > 0) this.#o.onClipsWritten?.();
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
