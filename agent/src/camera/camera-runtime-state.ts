import {
  type CameraConfig,
  type CameraSettingsPatch,
  cameraConfigSchema,
  cameraSettingsPatchSchema,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { CameraRuntimeRepo } from "../store/camera-runtime-repo.js";
import { CameraError } from "./camera-error.js";
import { applySettingsPatch, mergeSettingsPatch } from "./camera-settings.js";

/** The configuration schema's camera limit (`agentConfigSchema.cameras.max`). */
export const MAX_CAMERAS = 16;

export interface CameraRuntimeStateOptions {
  /** The configuration file's cameras. */
  fileCameras: readonly CameraConfig[];
  /** Where remote changes persist; without it they last until the agent stops. */
  repo?: CameraRuntimeRepo | undefined;
  log: Pick<Logger, "warn">;
}

/**
 * The cameras as the agent runs them: the configuration file's, plus cameras added remotely, each
 * with its accumulated remote settings patch and privacy mode applied. Every change is persisted
 * before it is applied in memory, so what runs is always what the next start will load.
 */
export class CameraRuntimeState {
  readonly #o: CameraRuntimeStateOptions;
  readonly #patches = new Map<string, CameraSettingsPatch>();
  readonly #disarmed = new Set<string>();
  readonly #added: CameraConfig[] = [];
  #effective: CameraConfig[];

  constructor(opts: CameraRuntimeStateOptions) {
    this.#o = opts;
    this.#effective = [...opts.fileCameras];
  }

  /** Read the stored changes. Invalid stored data (an older schema) is logged and skipped. */
  async load(): Promise<void> {
    const rows = (await this.#o.repo?.list()) ?? [];
    const fileIds = new Set(this.#o.fileCameras.map((c) => c.id));
    for (const row of rows) {
      if (row.addedConfig !== null) {
        const parsed = cameraConfigSchema.safeParse(row.addedConfig);
        if (!parsed.success) {
          this.#o.log.warn({ camera: row.cameraId }, "stored remotely added camera is invalid; skipped");
        } else if (fileIds.has(parsed.data.id)) {
          // The operator's own file wins over an earlier remote addition with the same id.
          this.#o.log.warn({ camera: row.cameraId }, "camera added remotely is now in the file; file wins");
        } else if (this.#fileAndAddedCount() < MAX_CAMERAS) {
          this.#added.push(parsed.data);
        }
      }
      const patch = cameraSettingsPatchSchema.safeParse(row.settingsPatch);
      if (patch.success) this.#patches.set(row.cameraId, patch.data);
      else this.#o.log.warn({ camera: row.cameraId }, "stored camera settings are invalid; skipped");
      if (!row.armed) this.#disarmed.add(row.cameraId);
    }
    this.#effective = [...this.#o.fileCameras, ...this.#added].map((c) => this.#withPatch(c));
  }

  /** Every camera with its remote changes, file cameras first. */
  cameras(): readonly CameraConfig[] {
    return this.#effective;
  }

  find(cameraId: string): CameraConfig | undefined {
    return this.#effective.find((c) => c.id === cameraId);
  }

  /** The camera or `HC_ERR_CAMERA_NOT_FOUND`. */
  get(cameraId: string): CameraConfig {
    const camera = this.find(cameraId);
    if (!camera) {
      throw new CameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera with id ${JSON.stringify(cameraId)}`);
    }
    return camera;
  }

  isArmed(cameraId: string): boolean {
    return !this.#disarmed.has(cameraId);
  }

  /** Merge `patch` into the camera's stored patch, persist, and return the camera before and after. */
  async updateSettings(
    cameraId: string,
    patch: CameraSettingsPatch,
  ): Promise<{ before: CameraConfig; after: CameraConfig }> {
    const before = this.get(cameraId);
    const merged = mergeSettingsPatch(this.#patches.get(cameraId) ?? {}, patch);
    // Applied to the unpatched base, so the stored patch alone reproduces the result at start.
    const after = applySettingsPatch(this.#base(cameraId), merged);
    await this.#o.repo?.saveSettingsPatch(cameraId, merged);
    this.#patches.set(cameraId, merged);
    this.#replace(after);
    return { before, after };
  }

  /** Persist the privacy mode of these (existing) cameras. */
  async setArmed(cameraIds: readonly string[], armed: boolean): Promise<void> {
    for (const id of cameraIds) this.get(id);
    await this.#o.repo?.setArmed(cameraIds, armed);
    for (const id of cameraIds) {
      if (armed) this.#disarmed.delete(id);
      else this.#disarmed.add(id);
    }
  }

  /** Persist a new camera. Throws `HC_ERR_CAMERA_EXISTS` or `HC_ERR_CAMERA_LIMIT`. */
  async add(camera: CameraConfig): Promise<void> {
    if (this.find(camera.id)) {
      throw new CameraError("HC_ERR_CAMERA_EXISTS", `a camera with id ${JSON.stringify(camera.id)} exists`);
    }
    if (this.#effective.length >= MAX_CAMERAS) {
      throw new CameraError("HC_ERR_CAMERA_LIMIT", `this agent already has ${MAX_CAMERAS} cameras`);
    }
    await this.#o.repo?.saveAddedCamera(camera);
    this.#added.push(camera);
    // What was stored for an earlier camera with this id must not carry over (the repo resets it too).
    this.#patches.delete(camera.id);
    this.#disarmed.delete(camera.id);
    this.#effective = [...this.#effective, camera];
  }

  #fileAndAddedCount(): number {
    return this.#o.fileCameras.length + this.#added.length;
  }

  #base(cameraId: string): CameraConfig {
    const base =
      this.#o.fileCameras.find((c) => c.id === cameraId) ?? this.#added.find((c) => c.id === cameraId);
    if (!base) throw new CameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera with id ${cameraId}`);
    return base;
  }

  #withPatch(camera: CameraConfig): CameraConfig {
    const patch = this.#patches.get(camera.id);
    if (!patch) return camera;
    try {
      return applySettingsPatch(camera, patch);
    } catch {
      this.#o.log.warn({ camera: camera.id }, "stored camera settings no longer apply; using the file's");
      return camera;
    }
  }

  #replace(camera: CameraConfig): void {
    this.#effective = this.#effective.map((c) => (c.id === camera.id ? camera : c));
  }
}
