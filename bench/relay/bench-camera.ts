// The camera side of part 3's agent: a CameraRuntimeControl over cameras held in memory, so that a
// `settings.get` round trip measures the relay, the broker and the agent's link and command handler,
// not camera work. Cameras are real validated configurations (the shared schema's defaults); what
// needs a video pipeline (snapshot, recording, restart, PTZ, adding a camera) is refused with the
// agent's own "not supported" code.

import { type CameraConfig, type CameraSettingsPatch, cameraConfigSchema } from "@homecam/shared";
import { CameraError } from "../../agent/src/camera/camera-error.js";
import { applySettingsPatch, settingsOf } from "../../agent/src/camera/camera-settings.js";
import type {
  CameraRuntimeControl,
  CameraSettings,
  CameraState,
  HostState,
  ManualRecordingResult,
} from "../../agent/src/camera/control.js";
import type { PtzTarget } from "../../agent/src/onvif/ptz.js";

/** Two test-source cameras, as a small home install has. */
export const BENCH_CAMERAS: readonly { id: string; name: string }[] = [
  { id: "front-door", name: "Front door" },
  { id: "garden", name: "Garden" },
];

/** In-memory cameras answering settings and state; everything needing video is refused. */
export class BenchCameraControl implements CameraRuntimeControl {
  readonly #cameras = new Map<string, { config: CameraConfig; armed: boolean }>();
  readonly #startedAt = Date.now();

  constructor(cameras: readonly { id: string; name: string }[] = BENCH_CAMERAS) {
    for (const { id, name } of cameras) {
      const config = cameraConfigSchema.parse({ id, name, source: { type: "test" } });
      this.#cameras.set(id, { config, armed: true });
    }
  }

  cameras(): CameraState[] {
    return [...this.#cameras.values()].map(({ config }) => ({
      id: config.id,
      name: config.name,
      enabled: config.enabled,
      status: "online",
      analysisFps: config.motion.analysisFps,
      eventActive: false,
      lastEventAt: null,
    }));
  }

  async host(): Promise<HostState> {
    return {
      cpuPercent: null,
      temperatureC: null,
      diskFreeMB: 100_000,
      diskTotalMB: 200_000,
      storage: { state: "ok" },
      uptimeS: Math.round((Date.now() - this.#startedAt) / 1000),
    };
  }

  settings(cameraId: string): CameraSettings {
    const camera = this.#camera(cameraId);
    return settingsOf(camera.config, camera.armed);
  }

  allSettings(): CameraSettings[] {
    return [...this.#cameras.values()].map((c) => settingsOf(c.config, c.armed));
  }

  async updateSettings(cameraId: string, patch: CameraSettingsPatch): Promise<CameraSettings> {
    const camera = this.#camera(cameraId);
    camera.config = applySettingsPatch(camera.config, patch);
    return settingsOf(camera.config, camera.armed);
  }

  async setArmed(cameraId: string | undefined, armed: boolean): Promise<string[]> {
    const ids = cameraId === undefined ? [...this.#cameras.keys()] : [cameraId];
    for (const id of ids) this.#camera(id).armed = armed;
    return ids;
  }

  snapshot(): Promise<Buffer> {
    return Promise.reject(unsupported("snapshot"));
  }

  recordNow(): Promise<ManualRecordingResult> {
    return Promise.reject(unsupported("record.now"));
  }

  restart(): Promise<void> {
    return Promise.reject(unsupported("camera.restart"));
  }

  addCamera(): Promise<CameraSettings> {
    return Promise.reject(unsupported("camera.add"));
  }

  ptzTarget(): PtzTarget {
    throw unsupported("PTZ");
  }

  #camera(cameraId: string): { config: CameraConfig; armed: boolean } {
    const camera = this.#cameras.get(cameraId);
    if (!camera) throw new CameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera "${cameraId}"`);
    return camera;
  }
}

function unsupported(what: string): CameraError {
  return new CameraError("HC_ERR_CAMERA_NOT_SUPPORTED", `${what}: the bench camera has no video`);
}
