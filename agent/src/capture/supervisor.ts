import { EventEmitter } from "node:events";
import { maskSecretsInText, type RecordingSettings } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "../module.js";
import type { CaptureError } from "./capture-error.js";
import { type BrowserResolver, type OnvifResolver, prepareCapture } from "./capture-prepare.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { type CaptureSettings, type FfmpegPlan, formatCommandLine, type OutputSpec } from "./ffmpeg-args.js";
import { FfmpegRun, type RunExit } from "./ffmpeg-run.js";
import { classifyFfmpegStderr } from "./ffmpeg-stderr.js";
import type { AnalysisFrame } from "./frame-reader.js";
import { RestartPolicy, type RestartPolicyOptions } from "./restart-policy.js";
import { ringKeepMs, SegmentRing } from "./ring-buffer.js";
import type { Segment } from "./segment.js";
import type { SourceContext } from "./source-input.js";

/** Live state of a camera's capture (the shared `cameraStatusSchema` minus `disabled`). */
export type CaptureState = "starting" | "online" | "reconnecting" | "error";

export interface CaptureStatus {
  state: CaptureState;
  /** Why it is not online, in words an operator can act on. */
  reason?: string;
  /** ffmpeg's last stderr line (masked) when the reason came from it. */
  detail?: string;
  /** When this state began, epoch ms. */
  sinceMs: number;
  /** Restarts since the session started. */
  restarts: number;
}

export type { BrowserResolver, OnvifResolver };

export interface CaptureSessionOptions {
  camera: CaptureSettings & { id: string; recording: RecordingSettings };
  /** The camera's ring directory (owned by the ring: stale segments in it are deleted at start). */
  ringDir: string;
  log: Logger;
  clock?: Clock;
  resolveOnvif?: OnvifResolver;
  resolveBrowser?: BrowserResolver;
  picamTool?: SourceContext["picamTool"];
  ffmpegPath?: string;
  /** Environment of the spawned processes (tests put a fake `rpicam-vid` on PATH). */
  env?: NodeJS.ProcessEnv;
  /** Restart when no analysis frame arrived for this long (default 10 s). */
  frameTimeoutMs?: number;
  /** Restart when no segment closed for this long (default 3 × segmentSeconds + 5 s). */
  segmentTimeoutMs?: number;
  restart?: RestartPolicyOptions;
  /** More outputs of the same ffmpeg (live view, later). */
  extraOutputs?: readonly OutputSpec[];
}

/** One ffmpeg run and what the watchdog knows about it. */
interface LiveRun {
  run: FfmpegRun;
  lastFrameMs: number;
  lastSegmentMs: number;
  frames: number;
}

type CaptureEvents = { frame: [AnalysisFrame]; segment: [Segment]; status: [CaptureStatus] };

/**
 * Runs one camera's ffmpeg and keeps it running: watchdog for "connected but wrong" (no frames, no
 * segments), graceful stop, stepped back-off with a restart window, and a status with a reason.
 * Events: `frame` (lent, see {@link AnalysisFrame}), `segment` (after the ring tracks it), `status`.
 */
export class CaptureSession extends EventEmitter<CaptureEvents> implements AgentModule {
  readonly name: string;
  readonly ring: SegmentRing;
  readonly #o: CaptureSessionOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #policy: RestartPolicy;
  readonly #frameTimeoutMs: number;
  readonly #segmentTimeoutMs: number;
  #status: CaptureStatus;
  #live: LiveRun | undefined;
  /** The failed run being stopped: the next one starts only after it is gone (devices, ring files). */
  #retiring: Promise<void> = Promise.resolve();
  #plan: FfmpegPlan | undefined;
  #tapPort: number | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  /** Aborted by stop(): ends a wait for a browser publisher. */
  readonly #abort = new AbortController();
  #loggedCommand = false;

  constructor(opts: CaptureSessionOptions) {
    super();
    this.#o = opts;
    this.name = `capture:${opts.camera.id}`;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log;
    this.#policy = new RestartPolicy(opts.restart);
    this.#frameTimeoutMs = opts.frameTimeoutMs ?? 10_000;
    this.#segmentTimeoutMs = opts.segmentTimeoutMs ?? (3 * opts.camera.recording.segmentSeconds + 5) * 1000;
    this.ring = new SegmentRing({
      dir: opts.ringDir,
      keepMs: ringKeepMs(opts.camera.recording),
      segmentSeconds: opts.camera.recording.segmentSeconds,
      clock: this.#clock,
      log: opts.log,
    });
    this.#status = { state: "starting", sinceMs: this.#clock.now(), restarts: 0 };
  }

  status(): CaptureStatus {
    return this.#status;
  }

  /** Where this capture's live tap sends RTP (undefined for sources live view reads itself). */
  get tapPort(): number | undefined {
    return this.#tapPort;
  }

  /** The running ffmpeg's pid, if any. */
  get pid(): number | undefined {
    return this.#live?.run.pid;
  }

  /** The picam producer's (rpicam-vid) pid, if any. */
  get producerPid(): number | undefined {
    return this.#live?.run.producerPid;
  }

  /** The plan of the latest ffmpeg start (arguments, pipes, copy or encode). */
  get plan(): FfmpegPlan | undefined {
    return this.#plan;
  }

  /** ffmpeg's (and the producer's) last stderr lines, credentials masked. */
  stderrTail(): string[] {
    return this.#live?.run.stderrLines() ?? [];
  }

  /** Prepare the ring and start ffmpeg; resolves without waiting for the camera to come online. */
  async start(signal?: AbortSignal): Promise<void> {
    await this.ring.init();
    signal?.throwIfAborted();
    void this.#launch();
  }

  /** Stop ffmpeg gracefully and end the session; no status events follow. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#clearTimer();
    await Promise.all([this.#live?.run.stop(), this.#retiring]);
    this.ring.close();
  }

  async #launch(): Promise<void> {
    await this.#retiring;
    if (this.#stopped) return;
    try {
      const plan = await this.#prepare();
      if (!plan || this.#stopped) return;
      this.#spawn(plan);
    } catch (err) {
      // The ring directory vanished, spawn refused…: a failure like any other, never an unhandled rejection.
      this.#failed(`cannot start ffmpeg: ${(err as Error).message}`);
    }
  }

  /** Resolve what the source needs and build the command; undefined after reporting a failure. */
  async #prepare(): Promise<FfmpegPlan | undefined> {
    const prepared = await prepareCapture({
      ...this.#o,
      signal: this.#abort.signal,
      waiting: (reason) => this.#setStatus({ state: "reconnecting", reason }),
      startNumber: () => this.ring.prepareRun(),
    });
    if ("stopped" in prepared) return undefined;
    if ("failure" in prepared) {
      this.#failed(prepared.failure, undefined, prepared.error);
      return undefined;
    }
    this.#tapPort = prepared.tapPort;
    this.#plan = prepared.plan;
    return prepared.plan;
  }

  #spawn(plan: FfmpegPlan): void {
    if (!this.#loggedCommand) {
      this.#loggedCommand = true;
      const producer = plan.producer && formatCommandLine(plan.producer.file, plan.producer.args);
      this.#log.debug(
        { command: formatCommandLine(plan.file, plan.args), producer, recording: plan.recording },
        "starting ffmpeg",
      );
    }
    const now = this.#clock.now();
    const run = new FfmpegRun({
      plan,
      ringDir: this.#o.ringDir,
      clock: this.#clock,
      log: this.#log,
      ...(this.#o.env && { env: this.#o.env }),
      // Called from pipe events only, after `live` below exists.
      onFrame: (frame) => this.#onFrame(live, frame),
      onSegment: (segment) => this.#onSegment(live, segment),
    });
    const live: LiveRun = { run, lastFrameMs: now, lastSegmentMs: now, frames: 0 };
    this.#live = live;
    this.#timer = this.#clock.setTimeout(() => this.#check(live), 1_000);
    void run.exited.then((exit) => this.#restart(live, exitReason(exit)));
  }

  #onFrame(live: LiveRun, frame: AnalysisFrame): void {
    if (live !== this.#live) return;
    live.lastFrameMs = this.#clock.now();
    if (live.frames++ === 0) {
      this.#policy.online(live.lastFrameMs);
      this.#setStatus({ state: "online" });
    }
    this.emit("frame", frame);
  }

  #onSegment(live: LiveRun, segment: Segment): void {
    // Segments of a run being stopped still count: ffmpeg closed them properly.
    live.lastSegmentMs = this.#clock.now();
    this.ring.add(segment);
    this.emit("segment", segment);
  }

  /** Watchdog: ffmpeg can stay connected yet deliver nothing (a stalled camera, a stuck decoder). */
  #check(live: LiveRun): void {
    if (live !== this.#live) return;
    const now = this.#clock.now();
    if (now - live.lastFrameMs > this.#frameTimeoutMs) {
      void this.#restart(live, `no analysis frame for ${seconds(now - live.lastFrameMs)}`);
    } else if (now - live.lastSegmentMs > this.#segmentTimeoutMs) {
      void this.#restart(live, `no new segment for ${seconds(now - live.lastSegmentMs)}`);
    } else {
      this.#timer = this.#clock.setTimeout(() => this.#check(live), 1_000);
    }
  }

  async #restart(live: LiveRun, why: string): Promise<void> {
    if (live !== this.#live || this.#stopped) return;
    this.#live = undefined;
    const lines = live.run.stderrLines();
    const known = classifyFfmpegStderr(lines);
    this.#failed(known ? `${why}: ${known.message}` : why, lines.at(-1));
    this.#retiring = live.run.stop();
    await this.#retiring;
  }

  #failed(why: string, detail?: string, error?: CaptureError): void {
    if (this.#stopped) return;
    // Reasons travel further than logs (status to the cloud and viewers): a resolver's error text may
    // quote a URL with its password.
    const reason = maskSecretsInText(why);
    this.#clearTimer();
    if (error?.permanent) {
      this.#log.error({ code: error.code, reason }, "camera cannot be captured");
      this.#setStatus({ state: "error", reason });
      return;
    }
    const d = this.#policy.failed(this.#clock.now());
    const restarts = this.#status.restarts + 1;
    const state = d.tooMany ? "error" : "reconnecting";
    const full = d.tooMany
      ? `${d.recent} restarts within ${seconds(this.#policy.windowMs)}; last: ${reason}`
      : reason;
    this.#log.warn({ reason: full, detail, retryInMs: d.delayMs, restarts }, "capture restarting");
    this.#setStatus({ state, reason: full, ...(detail && { detail }), restarts });
    this.#timer = this.#clock.setTimeout(() => void this.#launch(), d.delayMs);
  }

  #setStatus(next: Omit<CaptureStatus, "sinceMs" | "restarts"> & { restarts?: number }): void {
    const prev = this.#status;
    if (prev.state === next.state && prev.reason === next.reason) return;
    this.#status = { ...next, sinceMs: this.#clock.now(), restarts: next.restarts ?? prev.restarts };
    if (next.state === "online") this.#log.info("camera online");
    this.emit("status", this.#status);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function exitReason(exit: RunExit): string {
  if (exit.error) return `ffmpeg could not be started: ${exit.error.message}`;
  if (exit.code === 0) return "the stream ended";
  return exit.signal ? `ffmpeg was killed by ${exit.signal}` : `ffmpeg exited with code ${exit.code}`;
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
