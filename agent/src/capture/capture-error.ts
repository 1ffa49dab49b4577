import { CodedError } from "@homecam/shared";
/** Codes of capture failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type CaptureErrorCode =
  /** The source type cannot be captured by ffmpeg alone (e.g. `browser` needs the live-view module). */
  | "HC_ERR_CAPTURE_SOURCE_UNSUPPORTED"
  /** An ONVIF source was built without its resolved stream URL, or resolving it failed. */
  | "HC_ERR_CAPTURE_ONVIF_UNRESOLVED"
  /** ffmpeg (or the picam producer) could not be started at all. */
  | "HC_ERR_CAPTURE_SPAWN";

/** A capture problem with a stable code; `permanent` ones are configuration errors not worth retrying. */
export class CaptureError extends CodedError<CaptureErrorCode> {
  override readonly name = "CaptureError";
  constructor(
    code: CaptureErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
