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
  | "HC_ERR_CAMERA_STOPPED"
  /** The camera is in privacy mode (disarmed): no capture, no recording, no live. */
  | "HC_ERR_CAMERA_DISARMED"
  /** A camera with this id already exists (`camera.add`). */
  | "HC_ERR_CAMERA_EXISTS"
  /** The agent already hosts as many cameras as the configuration allows. */
  | "HC_ERR_CAMERA_LIMIT"
  /** Settings that do not make a valid camera configuration. */
  | "HC_ERR_CAMERA_INVALID_SETTINGS"
  /** The camera's source cannot do this (PTZ on a camera that is not ONVIF). */
  | "HC_ERR_CAMERA_NOT_SUPPORTED";

/** A camera operation was refused; the control socket and remote commands pass `code` on. */
export class CameraError extends CodedError<CameraErrorCode> {
  override readonly name = "CameraError";
}
