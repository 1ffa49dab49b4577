import { CodedError } from "@homecam/shared";
/** Codes of clip, thumbnail and snapshot failures; stable, never reused (CONVENTIONS: `HC_ERR_<AREA>_<WHAT>`). */
export type RecordingErrorCode =
  /** ffmpeg or ffprobe could not be started, exited non-zero, or timed out. */
  | "HC_ERR_RECORDING_FFMPEG"
  /** The ring holds no segment for the requested time. */
  | "HC_ERR_RECORDING_NO_SEGMENTS"
  /** ffmpeg succeeded but produced no usable output (e.g. no frame at the requested time). */
  | "HC_ERR_RECORDING_EMPTY_OUTPUT"
  /** ffprobe's output could not be understood or the file holds no video stream. */
  | "HC_ERR_RECORDING_PROBE"
  /** A caller passed an impossible request (negative duration, non-finite time). */
  | "HC_ERR_RECORDING_INVALID_ARGUMENT";

/** A clip, thumbnail, snapshot or probe could not be produced. */
export class RecordingError extends CodedError<RecordingErrorCode> {
  override readonly name = "RecordingError";
}
