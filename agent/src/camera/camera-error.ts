import { CodedError } from "@homecam/shared";
/** Codes of camera-control failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type CameraErrorCode =
  /** No camera with this id is configured. */
  | "HC_ERR_CAMERA_NOT_FOUND"
  /** The camera is switched off in the configuration. */
  | "HC_ERR_CAMERA_DISABLED"
  /** The camera is configured but not delivering video right now (starting, reconnecting, error). */
  | "HC_ERR_CAMERA_OFFLINE"
  /** The agent is stopping (or the camera's pipeline stopped) while the request was in progress. */
  | "HC_ERR_CAMERA_STOPPED";

/** A snapshot or manual recording was refused; the control socket passes `code` on to the CLI. */
export class CameraError extends CodedError<CameraErrorCode> {
  override readonly name = "CameraError";
}
