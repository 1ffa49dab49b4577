import { isDeepStrictEqual } from "node:util";
import {
  type CameraConfig,
  type CameraSettingsPatch,
  cameraConfigSchema,
  type MotionSettings,
  type RecordingSettings,
} from "@homecam/shared";
import { CameraError } from "./camera-error.js";

// Pure decisions about remote camera settings (`settings.set`): how patches accumulate, how they
// apply over a camera's configuration, and which changes a running pipeline takes without restarting.

/** A camera's effective settings as `settings.get` reports them. */
export interface CameraSettings {
  id: string;
  name: string;
  /** Switched on in the configuration. */
  enabled: boolean;
  /** False in privacy mode (no capture, no recording, no live). */
  armed: boolean;
  /** The source's type (`test`, `v4l2`, `rtsp`, `onvif`…); not changeable remotely. */
  sourceKind: CameraConfig["source"]["type"];
  motion: MotionSettings;
  recording: RecordingSettings;
}

/** `settingsOf(camera, armed)`: the settings view of a camera's config. */
export function settingsOf(camera: CameraConfig, armed: boolean): CameraSettings {
  return {
    id: camera.id,
    name: camera.name,
    enabled: camera.enabled,
    armed,
    sourceKind: camera.source.type,
    motion: camera.motion,
    recording: camera.recording,
  };
}

/** Members present in `patch` with a value (a member set to `undefined` changes nothing). */
function defined<T extends object>(patch: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(patch ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `next` on top of `prev`: later values win field by field within `motion` and `recording`; arrays
 * (zones) are replaced whole. The result is what is persisted and re-applied at every start.
 */
export function mergeSettingsPatch(
  prev: CameraSettingsPatch,
  next: CameraSettingsPatch,
): CameraSettingsPatch {
  const out: CameraSettingsPatch = {};
  const name = next.name ?? prev.name;
  if (name !== undefined) out.name = name;
  const motion = { ...defined(prev.motion), ...defined(next.motion) };
  if (Object.keys(motion).length > 0) out.motion = motion;
  const recording = { ...defined(prev.recording), ...defined(next.recording) };
  if (Object.keys(recording).length > 0) out.recording = recording;
  return out;
}

/**
 * The camera with `patch` applied, validated again as a whole camera config. Throws
 * `HC_ERR_CAMERA_INVALID_SETTINGS` when the result is not a valid camera.
 */
export function applySettingsPatch(camera: CameraConfig, patch: CameraSettingsPatch): CameraConfig {
  const merged = {
    ...camera,
    ...(patch.name !== undefined && { name: patch.name }),
    motion: { ...camera.motion, ...defined(patch.motion) },
    recording: { ...camera.recording, ...defined(patch.recording) },
  };
  const parsed = cameraConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new CameraError("HC_ERR_CAMERA_INVALID_SETTINGS", `invalid settings for ${camera.id}: ${why}`);
  }
  return parsed.data;
}

/**
 * True when `next` differs from `prev` only in what a running pipeline applies in place: the name
 * and the detector's settings (motion on/off, sensitivity, zones). Anything else (capture size and
 * rate, tracker timings, recording) needs the pipeline restarted.
 */
export function isLiveChange(prev: CameraConfig, next: CameraConfig): boolean {
  const strip = (c: CameraConfig) => ({
    ...c,
    name: "",
    motion: { ...c.motion, enabled: true, sensitivity: 0, zones: [] },
  });
  return isDeepStrictEqual(strip(prev), strip(next));
}

/** True when the detector must be rebuilt for `next` (sensitivity or zones changed). */
export function detectorChanged(prev: MotionSettings, next: MotionSettings): boolean {
  return prev.sensitivity !== next.sensitivity || !isDeepStrictEqual(prev.zones, next.zones);
}
