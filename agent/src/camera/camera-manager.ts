import type { AgentConfig, CameraConfig, CameraSettingsPatch } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Clock } from "../capture/clock.js";
import { resolveOnvifSource } from "../capture/sources/onvif.js";
import type { BrowserResolver, OnvifResolver } from "../capture/supervisor.js";
import type { AgentModule } from "../module.js";
import type { PtzTarget } from "../onvif/ptz.js";
import type { StorageStatus } from "../retention/storage-guard.js";
import type { AgentRepos } from "../store/repos.js";
import { CameraError } from "./camera-error.js";
import { CameraPipeline } from "./camera-pipeline.js";
import { CameraRuntimeState } from "./camera-runtime-state.js";
import { type CameraSettings, isLiveChange, settingsOf } from "./camera-settings.js";
import type { CameraRuntimeControl, CameraState, HostState, ManualRecordingResult } from "./control.js";
import { HostMonitor, type HostMonitorOptions } from "./host-monitor.js";
import { idleCameraState } from "./idle-state.js";
import { PtzTargets } from "./ptz-targets.js";
import { type RecoveryReport, recoverAfterCrash } from "./recovery.js";

export interface CameraManagerOptions {
  /** `cameras` and `stateDir` are used; a camera with `enabled: false` gets no pipeline. */
  config: Pick<AgentConfig, "cameras" | "stateDir">;
  /** With `runtime`, remote changes (settings, privacy mode, added cameras) persist across restarts. */
  repos: Pick<AgentRepos, "cameras" | "events" | "recordings"> & Partial<Pick<AgentRepos, "runtime">>;
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
  /** For `browser` cameras: the WHIP ingest's side of the capture (ingest/ingest-hub.ts). */
  resolveBrowser?: BrowserResolver;
  /** Test hooks for the host sensors. */
  hostSensors?: HostMonitorOptions["sensors"];
  /** Progress writes of an open event at most this often (default 2 s). */
  updateIntervalMs?: number;
}

/**
 * Owns the cameras: syncs the `cameras` table with the config, recovers from an unclean stop, runs
 * one {@link CameraPipeline} per enabled, armed camera, and is the agent's {@link CameraRuntimeControl}
 * (status, snapshot, record now for the control socket; settings, privacy mode, restart, add, PTZ
 * for remote commands). Changes run one at a time.
 */
export class CameraManager implements CameraRuntimeControl, AgentModule {
  readonly name = "cameras";
  readonly #o: CameraManagerOptions;
  readonly #log: Logger;
  readonly #host: HostMonitor;
  readonly #state: CameraRuntimeState;
  readonly #pipelines = new Map<string, CameraPipeline>();
  /** Cameras whose pipeline could not start, with the reason. */
  readonly #failed = new Map<string, string>();
  readonly #ptz = new PtzTargets();
  #recovery: RecoveryReport | undefined;
  /** Changes (settings, arm, restart, add) one after another. */
  #ops: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(opts: CameraManagerOptions) {
    this.#o = opts;
    this.#log = opts.log;
    this.#state = new CameraRuntimeState({
      fileCameras: opts.config.cameras,
      repo: opts.repos.runtime,
      log: opts.log,
    });
    this.#host = new HostMonitor({
      dir: opts.config.stateDir,
      startedAt: opts.startedAt ?? Date.now(),
      ...(opts.storage && { storage: opts.storage }),
      ...(opts.hostSensors && { sensors: opts.hostSensors }),
    });
  }

  /** The running pipelines by camera id (enabled, armed cameras only). */
  get pipelines(): ReadonlyMap<string, CameraPipeline> {
    return this.#pipelines;
  }

  /**
   * The source a live viewer may watch: an enabled camera (from the file or added remotely) that is
   * not in privacy mode; undefined otherwise.
   */
  liveSource(cameraId: string): CameraConfig["source"] | undefined {
    const camera = this.#state.cameras().find((c) => c.id === cameraId);
    return camera && this.#shouldRun(camera) ? camera.source : undefined;
  }

  /** What start-up recovery did (undefined before `start`). */
  get recovery(): RecoveryReport | undefined {
    return this.#recovery;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { config, repos } = this.#o;
    await this.#state.load();
    const cameras = this.#state.cameras();
    await repos.cameras.syncFromConfig(cameras);
    try {
      this.#recovery = await recoverAfterCrash({
        stateDir: config.stateDir,
        cameras,
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
    for (const camera of cameras) {
      if (!this.#shouldRun(camera)) continue;
      this.#pipelines.set(camera.id, this.#pipeline(camera, last.get(camera.id) ?? null));
    }
    // One camera that cannot start (its ring directory unwritable…) must not stop the others.
    for (const [id, p] of this.#pipelines) await this.#startPipeline(id, p, signal);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ops;
    await Promise.allSettled([...this.#pipelines.values()].map((p) => p.stop()));
  }

  cameras(): CameraState[] {
    return this.#state.cameras().map((c): CameraState => {
      const failed = this.#failed.get(c.id);
      const p = this.#pipelines.get(c.id);
      return p && !failed ? p.state() : idleCameraState(c, this.#state.isArmed(c.id), failed);
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

  settings(cameraId: string): CameraSettings {
    return settingsOf(this.#state.get(cameraId), this.#state.isArmed(cameraId));
  }

  allSettings(): CameraSettings[] {
    return this.#state.cameras().map((c) => settingsOf(c, this.#state.isArmed(c.id)));
  }

  updateSettings(cameraId: string, patch: CameraSettingsPatch): Promise<CameraSettings> {
    return this.#serial(async () => {
      const { before, after } = await this.#state.updateSettings(cameraId, patch);
      if (before.name !== after.name) await this.#o.repos.cameras.syncFromConfig(this.#state.cameras());
      const p = this.#pipelines.get(cameraId);
      if (p && isLiveChange(before, after)) p.reconfigure(after);
      else if (p) await this.#replacePipeline(after);
      this.#log.info({ camera: cameraId, patch }, "camera settings changed");
      return this.settings(cameraId);
    });
  }

  setArmed(cameraId: string | undefined, armed: boolean): Promise<string[]> {
    return this.#serial(async () => {
      const ids =
        cameraId === undefined ? this.#state.cameras().map((c) => c.id) : [this.#state.get(cameraId).id];
      await this.#state.setArmed(ids, armed);
      for (const id of ids) {
        const camera = this.#state.get(id);
        const p = this.#pipelines.get(id);
        if (!armed && p) {
          this.#pipelines.delete(id);
          this.#failed.delete(id);
          await p.stop();
        } else if (armed && !p && this.#shouldRun(camera)) {
          await this.#replacePipeline(camera);
        }
      }
      this.#log.info({ cameras: ids }, armed ? "cameras armed" : "cameras disarmed (privacy mode)");
      return ids;
    });
  }

  restart(cameraId: string): Promise<void> {
    return this.#serial(async () => {
      const camera = this.#state.get(cameraId);
      this.#assertRunnable(camera);
      await this.#replacePipeline(camera);
      this.#log.info({ camera: cameraId }, "camera restarted");
    });
  }

  addCamera(config: CameraConfig): Promise<CameraSettings> {
    return this.#serial(async () => {
      await this.#state.add(config);
      await this.#o.repos.cameras.syncFromConfig(this.#state.cameras());
      if (this.#shouldRun(config)) await this.#replacePipeline(config);
      this.#log.info({ camera: config.id, source: config.source.type }, "camera added");
      return this.settings(config.id);
    });
  }

  ptzTarget(cameraId: string): PtzTarget {
    const camera = this.#state.get(cameraId);
    if (camera.source.type !== "onvif") {
      throw new CameraError(
        "HC_ERR_CAMERA_NOT_SUPPORTED",
        `camera ${cameraId} is a ${camera.source.type} source; only ONVIF cameras have PTZ`,
      );
    }
    this.#assertRunnable(camera);
    const target = this.#ptz.get(cameraId);
    if (!target) throw new CameraError("HC_ERR_CAMERA_OFFLINE", `camera ${cameraId} has not connected yet`);
    return target;
  }

  #shouldRun(camera: CameraConfig): boolean {
    return camera.enabled && this.#state.isArmed(camera.id);
  }

  #assertRunnable(camera: CameraConfig): void {
    if (!camera.enabled) {
      throw new CameraError("HC_ERR_CAMERA_DISABLED", `camera ${camera.id} is disabled in the configuration`);
    }
    if (!this.#state.isArmed(camera.id)) {
      throw new CameraError("HC_ERR_CAMERA_DISARMED", `camera ${camera.id} is in privacy mode`);
    }
  }

  #running(cameraId: string): CameraPipeline {
    const p = this.#pipelines.get(cameraId);
    if (p) return p;
    const camera = this.#state.get(cameraId);
    this.#assertRunnable(camera);
    throw new CameraError("HC_ERR_CAMERA_OFFLINE", `camera ${cameraId} has not started`);
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(() => {
      if (this.#stopped) throw new CameraError("HC_ERR_CAMERA_STOPPED", "the agent is stopping");
      return op();
    });
    this.#ops = run.catch(() => undefined);
    return run;
  }

  /** Stop the camera's pipeline if any (its open event ends with its clip), start one for `camera`. */
  async #replacePipeline(camera: CameraConfig): Promise<void> {
    const old = this.#pipelines.get(camera.id);
    const lastEventAt = old?.state().lastEventAt ?? null;
    if (old) {
      this.#pipelines.delete(camera.id);
      await old.stop();
    }
    this.#failed.delete(camera.id);
    const p = this.#pipeline(camera, lastEventAt);
    this.#pipelines.set(camera.id, p);
    await this.#startPipeline(camera.id, p);
  }

  async #startPipeline(id: string, p: CameraPipeline, signal?: AbortSignal): Promise<void> {
    try {
      await p.start(signal);
    } catch (err) {
      this.#failed.set(id, `cannot start: ${(err as Error).message}`);
      this.#log.error({ err, camera: id }, "camera failed to start");
    }
  }

  #pipeline(camera: CameraConfig, lastEventAt: number | null): CameraPipeline {
    const log = moduleLogger(this.#log, "camera", { camera: camera.id });
    const resolve: OnvifResolver =
      this.#o.resolveOnvif ?? ((source) => resolveOnvifSource(source, { logger: log }));
    // Keeps the connected ONVIF camera for PTZ; capture itself only needs the URLs.
    return new CameraPipeline({
      camera,
      stateDir: this.#o.config.stateDir,
      events: this.#o.repos.events,
      log,
      lastEventAt,
      resolveOnvif: this.#ptz.wrap(camera.id, resolve),
      ...(this.#o.resolveBrowser && { resolveBrowser: this.#o.resolveBrowser }),
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
