import { ApiError, type ErrorCode, maskSecretsInText } from "@homecam/shared";
import type { CameraErrorCode } from "../camera/camera-error.js";
import { catalogueCodeFor, OnvifError } from "../onvif/errors.js";
import type { RecordingErrorCode } from "../recording/recording-error.js";

/** The `error` of a failed `command.result`. */
export interface CommandFailure {
  code: ErrorCode;
  message: string;
}

/** The schema's longest error message. */
const MAX_MESSAGE = 1024;

/** The agent's coded errors a command can meet, as catalogue codes. */
const AGENT_CODES: Partial<Record<CameraErrorCode | RecordingErrorCode, ErrorCode>> = {
  HC_ERR_CAMERA_NOT_FOUND: "E_NOT_FOUND",
  // Not running, for whatever reason: the caller can do nothing but wait or switch it on.
  HC_ERR_CAMERA_DISABLED: "E_DEVICE_OFFLINE",
  HC_ERR_CAMERA_OFFLINE: "E_DEVICE_OFFLINE",
  HC_ERR_CAMERA_STOPPED: "E_DEVICE_OFFLINE",
  HC_ERR_CAMERA_DISARMED: "E_DEVICE_OFFLINE",
  HC_ERR_CAMERA_EXISTS: "E_CONFLICT",
  HC_ERR_CAMERA_LIMIT: "E_CONFLICT",
  HC_ERR_CAMERA_INVALID_SETTINGS: "E_VALIDATION",
  HC_ERR_CAMERA_NOT_SUPPORTED: "E_NOT_IMPLEMENTED",
  HC_ERR_RECORDING_INVALID_ARGUMENT: "E_VALIDATION",
  // The camera has delivered no video yet (a snapshot right after start).
  HC_ERR_RECORDING_NO_SEGMENTS: "E_DEVICE_OFFLINE",
};

/** A message fit for the wire: credentials in URLs masked, at most 1024 characters. */
export function wireMessage(text: string): string {
  const masked = maskSecretsInText(text);
  return masked.length > MAX_MESSAGE ? `${masked.slice(0, MAX_MESSAGE - 1)}…` : masked;
}

/**
 * A thrown error as a command failure: catalogue errors keep their code, the agent's `HC_ERR_*`
 * codes are mapped (ONVIF ones by `catalogueCodeFor`), anything else is `E_INTERNAL`.
 */
export function commandFailure(err: unknown): CommandFailure {
  if (err instanceof ApiError) return { code: err.code, message: wireMessage(err.message) };
  if (err instanceof OnvifError)
    return { code: catalogueCodeFor(err.code), message: wireMessage(err.message) };
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === "string" && Object.hasOwn(AGENT_CODES, code)) {
    return {
      code: AGENT_CODES[code as keyof typeof AGENT_CODES] as ErrorCode,
      message: wireMessage(message),
    };
  }
  return { code: "E_INTERNAL", message: wireMessage(`the agent failed: ${message}`) };
}
