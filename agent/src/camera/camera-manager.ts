import type { AgentConfig, CameraConfig } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Clock } from "../capture/clock.js";
import { resolveOnvifSource } from "../capture/sources/onvif.js";
import type { OnvifResolver } from "../capture/supervisor.js";
import type { AgentModule } from "../module.js";
import type { StorageStatus } from "../retention/storage-guard.js";
import type { AgentRepos } from "../store/repos.js";
import { CameraError } from "./camera-error.js";
import { CameraPipeline } from "./camera-pipeline.js";
import type { CameraControl, CameraState, HostState, ManualRecordingResult } from "./control.js";
import { HostMonitor, type HostMonitorOptions } from "./host-monitor.js";
import { type RecoveryReport, recoverAfterCrash } from "./recovery.js";

export interface CameraManagerOptions {
  /** `cameras` and `stateDir` are used; a camera with `enabled: false` gets no pipeline. */
  config: Pick<AgentConfig, "cameras" | "stateDir">;
  repos: Pick<AgentRepos, "cameras" | "events" | "recordings">;
  log: Logger;
  /** The storage guard's state, reported by `host()`. */
  storage?: () => StorageStatus;
  /** Called after clips are committed (main.ts: the storage guard sweeps). */
  onClipsWritten?: () => void;
  /** When the agent started, for `uptimeS` (default: construction time). */
  startedAt?: number;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
  resolveOnvif?: OnvifResolver;
  /** Test hooks for the host sensors. */
  hostSensors?: HostMonitorOptions["sensors"];
  /** Progress writes of an open event at most this often (default 2 s). */
  updateIntervalMs?: number;
}

/**
 * Owns the cameras: syncs the `cameras` table with the config, recovers from an unclean stop, runs
 * one {@link CameraPipeline} per enabled camera, and is the agent's {@link CameraControl} (status,
 * snapshot, record now) for the control socket and, later, remote commands.
 */
export class CameraManager implements CameraControl, AgentModule {
  readonly name = "cameras";
  readonly #o: CameraManagerOptions;
  readonly #log: Logger;
  readonly #host: HostMonitor;
  readonly #pipelines = new Map<string, CameraPipeline>();
  /** Cameras whose pipeline could not start, with the reason. */
  readonly #failed = new Map<string, string>();
  #recovery: RecoveryReport | undefined;

  constructor(opts: CameraManagerOptions) {
    this.#o = opts;
    this.#log = opts.log;
    this.#host = new HostMonitor({
      dir: opts.config.stateDir,
      startedAt: opts.startedAt ?? Date.now(),
      ...(opts.storage && { storage: opts.storage }),
      ...(opts.hostSensors && { sensors: opts.hostSensors }),
    });
  }

  /** The running pipelines by camera id (enabled cameras only). */
  get pipelines(): ReadonlyMap<string, CameraPipeline> {
    return this.#pipelines;
  }

  /** What start-up recovery did (undefined before `start`). */
  get recovery(): RecoveryReport | undefined {
    return this.#recovery;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { config, repos } = this.#o;
    await repos.cameras.syncFromConfig(config.cameras);
    try {
      this.#recovery = await recoverAfterCrash({
        stateDir: config.stateDir,
        cameras: config.cameras,
        events: repos.events,
        recordings: repos.recordings,
        log: moduleLogger(this.#log, "recovery"),
        ...this.#tools(),
      });
    } catch (err) {
      // Recording now matters more than tidying up after the last crash.
      this.#log.error({ err }, "crash recovery failed; the cameras start anyway");
    }
    signal?.throwIfAborted();
    await this.#host.prime();
    const last = await repos.events.lastStartedAt();
    for (const camera of config.cameras) {
      if (!camera.enabled) continue;
      this.#pipelines.set(camera.id, this.#pipeline(camera, last.get(camera.id) ?? null));
    }
    // One camera that cannot start (its ring directory unwritable…) must not stop the others.
    for (const [id, p] of this.#pipelines) {
      try {
        await p.start(signal);
      } catch (err) {
        this.#failed.set(id, `cannot start: ${(err as Error).message}`);
        this.#log.error({ err, camera: id }, "camera failed to start");
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#pipelines.values()].map((p) => p.stop()));
  }

  cameras(): CameraState[] {
    return this.#o.config.cameras.map((c): CameraState => {
      const failed = this.#failed.get(c.id);
      const p = this.#pipelines.get(c.id);
      if (p && !failed) return p.state();
      return {
        id: c.id,
        name: c.name,
        enabled: c.enabled,
        status: !c.enabled ? "disabled" : failed ? "error" : "starting",
        reason: !c.enabled ? "disabled in the configuration" : (failed ?? "not started"),
        analysisFps: 0,
        eventActive: false,
        lastEventAt: null,
      };
    });
  }

  host(): Promise<HostState> {
    return this.#host.read();
  }

  async snapshot(cameraId: string): Promise<Buffer> {
    return this.#running(cameraId).snapshot();
  }

  async recordNow(cameraId: string, seconds: number, signal?: AbortSignal): Promise<ManualRecordingResult> {
    return this.#running(cameraId).recordNow(seconds, signal);
  }

  #running(cameraId: string): CameraPipeline {
    const p = this.#pipelines.get(cameraId);
    if (p) return p;
    const configured = this.#o.config.cameras.find((c) => c.id === cameraId);
    if (configured && !configured.enabled) {
      throw new CameraError("HC_ERR_CAMERA_DISABLED", `camera ${cameraId} is disabled in the configuration`);
    }
    if (configured) throw new CameraError("HC_ERR_CAMERA_OFFLINE", `camera ${cameraId} has not started`);
    throw new CameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera with id ${JSON.stringify(cameraId)}`);
  }

  #pipeline(camera: CameraConfig, lastEventAt: number | null): CameraPipeline {
    const log = moduleLogger(this.#log, "camera", { camera: camera.id });
    return new CameraPipeline({
      camera,
      stateDir: this.#o.config.stateDir,
      events: this.#o.repos.events,
      log,
      lastEventAt,
      resolveOnvif: this.#o.resolveOnvif ?? ((source) => resolveOnvifSource(source, { logger: log })),
      ...(this.#o.clock && { clock: this.#o.clock }),
      ...(this.#o.onClipsWritten && { onClipsWritten: this.#o.onClipsWritten }),
      ...(this.#o.updateIntervalMs !== undefined && { updateIntervalMs: this.#o.updateIntervalMs }),
      ...this.#tools(),
    });
  }

  #tools(): { ffmpegPath?: string; ffprobePath?: string } {
    return {
      ...(this.#o.ffmpegPath && { ffmpegPath: this.#o.ffmpegPath }),
      ...(this.#o.ffprobePath && { ffprobePath: this.#o.ffprobePath }),
    };
  }
}
