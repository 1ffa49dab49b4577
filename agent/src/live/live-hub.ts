import type { Logger } from "@homecam/shared/node";
import type { CaptureError } from "../capture/capture-error.js";
import type { AgentModule } from "../module.js";
import type { LiveSink, LiveSourceFactory, LiveStream } from "./live-source.js";

/** One viewer of a camera, as the hub sees it (a WebSocket in production). */
export interface LiveViewer {
  init(bytes: Buffer, mimeType: string): void;
  fragment(bytes: Buffer, key: boolean): void;
  /** The source ended; the viewer will get nothing more. */
  ended(reason: string): void;
  /** Whose view this is, so a revoked user's viewers can be cut. */
  readonly userId?: string;
}

export interface LiveHubOptions {
  sources: LiveSourceFactory;
  /** Keep a source this long after its last viewer left (default 3 s): a page reload reuses it. */
  stopDelayMs?: number;
  /** Largest last-GOP cache per camera (default 8 MB); beyond it joiners wait for the next key frame. */
  maxGopBytes?: number;
  /**
   * Whether a camera may still be watched (enabled, not in privacy mode). Checked every
   * `recheckMs` (default 2 s) for every camera with a source: a camera disarmed while watched is cut.
   */
  allowed?: (cameraId: string) => boolean;
  recheckMs?: number;
  log: Pick<Logger, "info" | "warn" | "error">;
}

interface CameraLive {
  stream: LiveStream | undefined;
  init?: { bytes: Buffer; mimeType: string };
  /** The fragments since the latest key frame: a joiner starts there and sees a picture at once. */
  gop: Buffer[];
  gopBytes: number;
  viewers: Set<LiveViewer>;
  stopTimer?: NodeJS.Timeout;
}

/**
 * Fans each camera's live fMP4 out to its viewers: ONE source per camera whatever the number of
 * viewers, started by the first and stopped a few seconds after the last one leaves.
 */
export class LiveHub implements AgentModule {
  readonly name = "live";
  readonly #o: LiveHubOptions;
  readonly #cameras = new Map<string, CameraLive>();
  readonly #stopping = new Set<Promise<void>>();
  #recheck: NodeJS.Timeout | undefined;

  constructor(opts: LiveHubOptions) {
    this.#o = opts;
  }

  /** Cameras with a running source (for tests and status). */
  get sourceCount(): number {
    return this.#cameras.size;
  }

  async start(): Promise<void> {
    const { allowed } = this.#o;
    if (!allowed) return;
    this.#recheck = setInterval(() => {
      for (const [id, live] of this.#cameras) {
        if (allowed(id)) continue;
        this.#o.log.info({ cameraId: id }, "live view ended: camera disarmed or disabled");
        for (const viewer of live.viewers) viewer.ended("the camera is in privacy mode or disabled");
        live.viewers.clear();
        this.#stopSource(id, live);
      }
    }, this.#o.recheckMs ?? 2_000);
    this.#recheck.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#recheck);
    for (const [id, live] of this.#cameras) {
      for (const viewer of live.viewers) viewer.ended("the agent is stopping");
      this.#stopSource(id, live);
    }
    await Promise.all(this.#stopping);
  }

  /**
   * Add a viewer: it gets the init segment and the current GOP at once, then every fragment.
   * null for an unknown camera, a CaptureError when the camera cannot be viewed live.
   */
  join(cameraId: string, viewer: LiveViewer): { leave(): void } | CaptureError | null {
    let live = this.#cameras.get(cameraId);
    if (!live) {
      const created: CameraLive = { stream: undefined, gop: [], gopBytes: 0, viewers: new Set() };
      const stream = this.#o.sources(cameraId, this.#sink(cameraId, created));
      if (stream === null || !("stop" in stream)) return stream;
      created.stream = stream;
      live = created;
      this.#cameras.set(cameraId, live);
      this.#o.log.info({ cameraId }, "live source started");
    }
    clearTimeout(live.stopTimer);
    live.stopTimer = undefined;
    live.viewers.add(viewer);
    if (live.init) {
      viewer.init(live.init.bytes, live.init.mimeType);
      live.gop.forEach((bytes, i) => {
        viewer.fragment(bytes, i === 0);
      });
    }
    const joined = live;
    return { leave: () => this.#leave(cameraId, joined, viewer) };
  }

  /** Cut every viewer of `userId` (their grant was revoked); how many were cut. */
  endUser(userId: string): number {
    let cut = 0;
    for (const [cameraId, live] of this.#cameras) {
      for (const viewer of [...live.viewers]) {
        if (viewer.userId !== userId) continue;
        viewer.ended("access revoked");
        this.#leave(cameraId, live, viewer);
        cut++;
      }
    }
    return cut;
  }

  #leave(cameraId: string, live: CameraLive, viewer: LiveViewer): void {
    if (!live.viewers.delete(viewer) || live.viewers.size > 0) return;
    if (this.#cameras.get(cameraId) !== live) return;
    live.stopTimer = setTimeout(() => this.#stopSource(cameraId, live), this.#o.stopDelayMs ?? 3_000);
    live.stopTimer.unref();
  }

  #stopSource(cameraId: string, live: CameraLive): void {
    clearTimeout(live.stopTimer);
    if (this.#cameras.get(cameraId) === live) this.#cameras.delete(cameraId);
    const stopping = (live.stream?.stop() ?? Promise.resolve())
      .catch((err: unknown) => this.#o.log.error({ err, cameraId }, "cannot stop a live source"))
      .finally(() => this.#stopping.delete(stopping));
    this.#stopping.add(stopping);
    this.#o.log.info({ cameraId }, "live source stopped (no viewer left)");
  }

  #sink(cameraId: string, live: CameraLive): LiveSink {
    const maxGopBytes = this.#o.maxGopBytes ?? 8 * 1024 * 1024;
    return {
      init: (bytes, mimeType) => {
        live.init = { bytes, mimeType };
        for (const viewer of live.viewers) viewer.init(bytes, mimeType);
      },
      fragment: (bytes, key) => {
        if (key) {
          live.gop = [bytes];
          live.gopBytes = bytes.length;
        } else if (live.gop.length > 0 && live.gopBytes + bytes.length <= maxGopBytes) {
          live.gop.push(bytes);
          live.gopBytes += bytes.length;
        } else {
          // Too long a GOP to keep: joiners wait for the next key frame instead of growing memory.
          live.gop = [];
          live.gopBytes = 0;
        }
        for (const viewer of live.viewers) viewer.fragment(bytes, key);
      },
      ended: (reason) => {
        this.#o.log.warn({ cameraId, reason }, "live source ended");
        if (this.#cameras.get(cameraId) === live) this.#cameras.delete(cameraId);
        clearTimeout(live.stopTimer);
        for (const viewer of live.viewers) viewer.ended(reason);
        live.viewers.clear();
      },
    };
  }
}
