import type { CameraConfig, CameraSettingsPatch } from "@homecam/shared";
import type { CaptureStatus } from "../capture/index.js";
import type { PtzTarget } from "../onvif/ptz.js";
import type { CameraSettings } from "./camera-settings.js";

export type { CameraSettings } from "./camera-settings.js";

/** One camera's live state, as `homecam status` and (later) telemetry report it. */
export interface CameraState {
  id: string;
  name: string;
  enabled: boolean;
  /**
   * Capture status with a human reason; `disabled` when the camera is switched off in config or in
   * privacy mode (reason "privacy mode").
   */
  status: CaptureStatus["state"] | "disabled";
  reason?: string | undefined;
  /** Analysis frames per second over the last few seconds. */
  analysisFps: number;
  /** Whether an event is in progress right now. */
  eventActive: boolean;
  lastEventAt: number | null;
}

/** Host-wide figures reported next to the cameras. */
export interface HostState {
  cpuPercent: number | null;
  temperatureC: number | null;
  diskFreeMB: number;
  diskTotalMB: number;
  storage: { state: "ok" | "disk-full"; detail?: string | undefined };
  uptimeS: number;
}

/** A finished manual recording. */
export interface ManualRecordingResult {
  eventId: string;
  recordings: { id: string; path: string; durationMs: number; sizeBytes: number }[];
}

/**
 * What the running agent lets local tools (the CLI over the control socket) and, later, remote
 * commands do with its cameras. Implemented by the camera manager; everything else depends on this.
 */
export interface CameraControl {
  cameras(): CameraState[];
  host(): Promise<HostState>;
  /** A current JPEG at full resolution. Throws a coded error for an unknown or offline camera. */
  snapshot(cameraId: string): Promise<Buffer>;
  /** Record now for `seconds` (with pre-roll) as a `manual` event; resolves when the clip is written. */
  recordNow(cameraId: string, seconds: number, signal?: AbortSignal): Promise<ManualRecordingResult>;
}

/**
 * What remote commands (the cloud link) may do beyond {@link CameraControl}: runtime settings,
 * privacy mode, restart, adding a camera and PTZ. Every change is persisted and survives a restart.
 * Implemented by the camera manager; failures are `CameraError`s with `HC_ERR_CAMERA_*` codes.
 */
export interface CameraRuntimeControl extends CameraControl {
  /** One camera's effective settings (configuration file + remote changes). */
  settings(cameraId: string): CameraSettings;
  /** Every camera's effective settings. */
  allSettings(): CameraSettings[];
  /** Apply a validated patch to the running camera and persist it; resolves with the new settings. */
  updateSettings(cameraId: string, patch: CameraSettingsPatch): Promise<CameraSettings>;
  /**
   * Leave (`true`) or enter (`false`) privacy mode: one camera, or every camera when `cameraId` is
   * undefined. Resolves with the ids of the cameras it applies to.
   */
  setArmed(cameraId: string | undefined, armed: boolean): Promise<string[]>;
  /** Stop the camera's pipeline (its open event ends with its clip) and start it again. */
  restart(cameraId: string): Promise<void>;
  /** Add and start a camera (persisted). `HC_ERR_CAMERA_EXISTS` for a duplicate id. */
  addCamera(config: CameraConfig): Promise<CameraSettings>;
  /** The camera's ONVIF PTZ handle; `HC_ERR_CAMERA_NOT_SUPPORTED` for other sources. */
  ptzTarget(cameraId: string): PtzTarget;
}
