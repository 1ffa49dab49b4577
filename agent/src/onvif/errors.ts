import { CodedError, type ErrorCode } from "@homecam/shared";

/** Codes of ONVIF failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type OnvifErrorCode =
  /** The camera did not answer at all: refused, reset, no route, name not resolved. */
  | "HC_ERR_ONVIF_UNREACHABLE"
  /** The camera answered too slowly (connect, SOAP reply, snapshot body). */
  | "HC_ERR_ONVIF_TIMEOUT"
  /** Wrong user name or password (WS-Security fault, HTTP Digest/Basic 401). */
  | "HC_ERR_ONVIF_AUTH"
  /** The camera has no PTZ service, or the profile has no PTZ configuration. */
  | "HC_ERR_ONVIF_NO_PTZ"
  /** No usable media profile, or the requested profile token does not exist. */
  | "HC_ERR_ONVIF_NO_PROFILE"
  /** The preset does not exist on the camera. */
  | "HC_ERR_ONVIF_NO_PRESET"
  /** The snapshot could not be fetched or is not a JPEG. */
  | "HC_ERR_ONVIF_SNAPSHOT"
  /** The camera answered with a SOAP fault not covered by a more precise code. */
  | "HC_ERR_ONVIF_FAULT"
  /** The answer was not ONVIF (not SOAP, missing elements, unusable URI). */
  | "HC_ERR_ONVIF_PROTOCOL"
  /** A caller passed an invalid argument (PTZ velocity out of range, empty token). */
  | "HC_ERR_ONVIF_INVALID_ARGUMENT"
  /** The camera id is not configured, or not an ONVIF camera. */
  | "HC_ERR_ONVIF_UNKNOWN_CAMERA"
  /** WS-Discovery could not open or use its UDP socket. */
  | "HC_ERR_ONVIF_DISCOVERY";

/** A failure talking to an ONVIF camera; `message` never contains a password. */
export class OnvifError extends CodedError<OnvifErrorCode> {
  override readonly name = "OnvifError";
}

/** True when `err` is an {@link OnvifError}, optionally with the given code. */
export function isOnvifError(err: unknown, code?: OnvifErrorCode): err is OnvifError {
  return err instanceof OnvifError && (code === undefined || err.code === code);
}

const CATALOGUE: Record<OnvifErrorCode, ErrorCode> = {
  HC_ERR_ONVIF_UNREACHABLE: "E_INTERNAL",
  HC_ERR_ONVIF_TIMEOUT: "E_TIMEOUT",
  HC_ERR_ONVIF_AUTH: "E_INTERNAL",
  HC_ERR_ONVIF_NO_PTZ: "E_NOT_IMPLEMENTED",
  HC_ERR_ONVIF_NO_PROFILE: "E_INTERNAL",
  HC_ERR_ONVIF_NO_PRESET: "E_NOT_FOUND",
  HC_ERR_ONVIF_SNAPSHOT: "E_INTERNAL",
  HC_ERR_ONVIF_FAULT: "E_INTERNAL",
  HC_ERR_ONVIF_PROTOCOL: "E_INTERNAL",
  HC_ERR_ONVIF_INVALID_ARGUMENT: "E_VALIDATION",
  HC_ERR_ONVIF_UNKNOWN_CAMERA: "E_NOT_FOUND",
  HC_ERR_ONVIF_DISCOVERY: "E_INTERNAL",
};

/**
 * The REST/MQTT catalogue code a remote command answers with for an ONVIF failure. Problems
 * between the agent and its own camera (auth, unreachable) are the device's, not the caller's:
 * they map to `E_INTERNAL` with the ONVIF message.
 */
export function catalogueCodeFor(code: OnvifErrorCode): ErrorCode {
  return CATALOGUE[code];
}
