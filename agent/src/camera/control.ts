import type { CaptureStatus } from "../capture/index.js";

/** One camera's live state, as `homecam status` and (later) telemetry report it. */
export interface CameraState {
  id: string;
  name: string;
  enabled: boolean;
  /** Capture status with a human reason; `disabled` when the camera is switched off in config. */
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
