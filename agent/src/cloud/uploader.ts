import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "../module.js";
import { MemoryMultipartState, type MultipartStateStore } from "../store/multipart-uploads-repo.js";
import type { RecordingsRepo, UploadCandidate } from "../store/recordings-repo.js";
import type { CloudApi } from "./cloud-api.js";
import { reconnectDelay } from "./reconnect-backoff.js";
import { runUploadJob, type UploadOutcome } from "./upload-job.js";

export interface UploaderOptions {
  api: Pick<CloudApi, "call">;
  recordings: Pick<RecordingsRepo, "uploadQueue" | "markUploadState" | "markUploaded">;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /**
   * Multipart uploads in progress (the agent's SQLite, so a restart resumes them). Default: kept in
   * memory only, i.e. an upload interrupted by a restart starts over.
   */
  multipart?: MultipartStateStore;
  /** First wait before a failed part is tried again within an attempt (default 500 ms). */
  partRetryMs?: number;
  /** Clips uploaded at once (default 1: a Pi's uplink is the bottleneck). */
  concurrency?: number;
  /** Bandwidth cap in bytes/s, 0 = none (default). */
  bytesPerSecond?: number;
  /** Upload only clips of an event (default true); false also uploads clips without one. */
  onlyEvents?: boolean;
  /** How often the queue is looked at without a {@link Uploader.kick} (default 5 s). */
  pollMs?: number;
  /** Back-off after a failed attempt: doubling from `initialMs` (1 s) to `maxMs` (5 min), with jitter. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Wait before asking again about a recording the cloud does not know yet (default 30 s). */
  unknownRetryMs?: number;
  now?: () => number;
  random?: () => number;
  /** For the PUT; injected by tests. */
  fetch?: typeof fetch;
}

/** Clips read from the queue per pass (the oldest; more than enough to fill the slots). */
const QUEUE_PAGE = 100;

/** Per-recording retry state, kept in memory (a restart retries everything at once, which is fine). */
interface RetryState {
  failures: number;
  notBefore: number;
  /** The clip is confirmed; only its thumbnail failed. */
  clipDone: boolean;
  /** Waiting for the cloud to learn the recording (not a failure): ends at {@link Uploader.known}. */
  awaitingCloud?: boolean;
}

/**
 * Uploads finished clips (and each event's thumbnail) to the cloud's storage through its media
 * routes: presign → streamed PUT → complete, and only then `uploaded` locally. Oldest first,
 * `concurrency` at a time; failures back off per recording. Built only when the cloud is enabled.
 */
export class Uploader implements AgentModule {
  readonly name = "uploader";
  readonly #opts: UploaderOptions;
  readonly #now: () => number;
  readonly #retry = new Map<string, RetryState>();
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Per-upload abort, so one clip's upload can be cancelled (its event was deleted). */
  readonly #cancels = new Map<string, AbortController>();
  readonly #multipart: MultipartStateStore;
  /** Cancelled recordings, never started again (their rows are about to go). */
  readonly #dropped = new Set<string>();
  #abort = new AbortController();
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(opts: UploaderOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#multipart = opts.multipart ?? new MemoryMultipartState();
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#abort = new AbortController();
    signal.addEventListener("abort", () => this.#abort.abort(), { once: true });
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled(this.#inFlight.values());
  }

  /**
   * Abort the uploads of these recordings now, if any is running (their clips are being deleted);
   * resolves once they have stopped, so no PUT reads a file after this.
   */
  async cancel(recordingIds: readonly string[]): Promise<void> {
    const running: Promise<void>[] = [];
    for (const id of recordingIds) {
      this.#dropped.add(id);
      this.#cancels.get(id)?.abort(new Error("upload cancelled: the clip is being deleted"));
      const job = this.#inFlight.get(id);
      if (job) running.push(job);
      this.#retry.delete(id);
    }
    await Promise.allSettled(running);
  }

  /** Look at the queue now (a new clip was written). */
  kick(): void {
    this.#wake?.();
  }

  /**
   * The cloud now knows this recording (its `recording.ready` was acknowledged): upload it at once
   * instead of at the end of the unknown-recording wait — after an outage that is every clip.
   */
  known(recordingId: string): void {
    const state = this.#retry.get(recordingId);
    if (state?.awaitingCloud) {
      state.awaitingCloud = false;
      state.notBefore = 0;
      this.kick();
    }
  }

  /**
   * Start every due upload there is a free slot for and wait for them to finish; resolves with
   * how many were started. The loop runs on it; tests call it directly.
   */
  async runPass(): Promise<number> {
    const started = await this.#fill();
    await Promise.allSettled(started);
    return started.length;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await this.#fill();
      } catch (err) {
        this.#opts.log.warn({ err }, "upload queue unreadable");
      }
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, this.#nextWakeMs());
        // Abort too: stop() may come while #fill ran, before this wake existed.
        signal.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }

  /** Until the poll, or sooner when a backed-off recording becomes due. */
  #nextWakeMs(): number {
    const poll = this.#opts.pollMs ?? 5_000;
    const now = this.#now();
    let next = poll;
    // Only future retries: a past one was either started by the last pass or is not queued any more.
    for (const s of this.#retry.values()) if (s.notBefore > now) next = Math.min(next, s.notBefore - now);
    return Math.max(10, next);
  }

  async #fill(): Promise<Promise<void>[]> {
    const free = (this.#opts.concurrency ?? 1) - this.#inFlight.size;
    if (free <= 0 || this.#abort.signal.aborted) return [];
    const queue = await this.#opts.recordings.uploadQueue({
      onlyEvents: this.#opts.onlyEvents ?? true,
      limit: QUEUE_PAGE,
    });
    if (queue.length < QUEUE_PAGE) {
      // The whole queue is here: forget retry state of clips that left it (deleted by retention).
      const queued = new Set(queue.map((r) => r.id));
      for (const id of this.#retry.keys()) if (!queued.has(id)) this.#retry.delete(id);
      for (const id of this.#dropped) if (!queued.has(id)) this.#dropped.delete(id);
    }
    const now = this.#now();
    const due = queue
      .filter(
        (r) =>
          !this.#inFlight.has(r.id) &&
          !this.#dropped.has(r.id) &&
          (this.#retry.get(r.id)?.notBefore ?? 0) <= now,
      )
      .slice(0, free);
    return due.map((r) => {
      const cancel = new AbortController();
      this.#cancels.set(r.id, cancel);
      const job = this.#upload(r, AbortSignal.any([this.#abort.signal, cancel.signal])).finally(() => {
        this.#inFlight.delete(r.id);
        this.#cancels.delete(r.id);
        // A slot is free: the next clip need not wait for the poll.
        this.#wake?.();
      });
      this.#inFlight.set(r.id, job);
      return job;
    });
  }

  async #upload(r: UploadCandidate, signal: AbortSignal): Promise<void> {
    const { recordings, log } = this.#opts;
    const state = this.#retry.get(r.id) ?? { failures: 0, notBefore: 0, clipDone: false };
    let outcome: UploadOutcome;
    try {
      await recordings.markUploadState(r.id, "uploading");
      outcome = await runUploadJob(
        {
          recordingId: r.id,
          filePath: r.filePath,
          thumbnailPath: r.thumbnailPath,
          clipDone: state.clipDone,
          onClipDone: () => {
            state.clipDone = true;
          },
        },
        {
          api: this.#opts.api,
          bytesPerSecond: this.#opts.bytesPerSecond ?? 0,
          signal,
          multipart: this.#multipart,
          ...(this.#opts.partRetryMs !== undefined && { partRetryMs: this.#opts.partRetryMs }),
          ...(this.#opts.fetch && { fetch: this.#opts.fetch }),
          onThumbnailSkipped: (why) => log.warn({ recordingId: r.id, eventId: r.eventId }, why),
        },
      );
    } catch (err) {
      await recordings.markUploadState(r.id, "pending").catch(() => undefined);
      if (signal.aborted) return;
      state.failures++;
      const delay = reconnectDelay(
        state.failures - 1,
        { initialMs: this.#opts.retry?.initialMs ?? 1_000, maxMs: this.#opts.retry?.maxMs ?? 300_000 },
        this.#opts.random,
      );
      state.notBefore = this.#now() + delay;
      this.#retry.set(r.id, state);
      const code = (err as { code?: unknown }).code;
      log.warn(
        { recordingId: r.id, failures: state.failures, retryInMs: delay, code, err: (err as Error).message },
        "clip upload failed; will retry",
      );
      return;
    }
    await this.#settle(r, state, outcome);
  }

  async #settle(r: UploadCandidate, state: RetryState, outcome: UploadOutcome): Promise<void> {
    const { recordings, log } = this.#opts;
    switch (outcome.kind) {
      case "uploaded":
        await recordings.markUploaded(r.id);
        this.#retry.delete(r.id);
        log.info({ recordingId: r.id, eventId: r.eventId }, "clip uploaded");
        return;
      case "unknown":
        // Not a failure: the outbox has not delivered `recording.ready` yet. No back-off growth.
        await recordings.markUploadState(r.id, "pending");
        state.notBefore = this.#now() + (this.#opts.unknownRetryMs ?? 30_000);
        state.awaitingCloud = true;
        this.#retry.set(r.id, state);
        log.debug({ recordingId: r.id }, "cloud does not know the recording yet");
        return;
      case "local-only":
        await recordings.markUploadState(r.id, "local_only");
        this.#retry.delete(r.id);
        log.warn({ recordingId: r.id, reason: outcome.reason }, "clip will stay local only");
        return;
    }
  }
}
