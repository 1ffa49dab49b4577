import type { CameraSource } from "@homecam/shared";
import { CaptureError } from "../capture/capture-error.js";
import { sourceInput } from "../capture/source-input.js";

// The input and video half of every live ffmpeg (fMP4 for the WebSocket fallback, RTP for WebRTC):
// the same source reading, the same "not without a capture tap" answer for exclusive devices, the
// same stream copy of H.264 sources and the same 1 s GOP for the synthetic camera.

export interface LiveVideoOptions {
  /**
   * For RTP to browsers: repeat SPS/PPS in band before every key frame (a camera may send them only
   * out of band, and a viewer joining mid-stream could decode nothing), and encode the synthetic
   * camera as Constrained Baseline 42e01f, which every browser decodes.
   */
  forWebRtc: boolean;
}

/** The ffmpeg arguments up to the output format, or why `source` cannot be viewed live. */
export function liveVideoArgs(source: CameraSource, opts: LiveVideoOptions): string[] | CaptureError {
  const input = sourceInput(source);
  if (input instanceof CaptureError) return input;
  if (input.producer || source.type === "v4l2") {
    // A device opens once: its live view comes from the capture's tap (live-view.ts), so this is
    // only reached while that capture is not running.
    return new CaptureError(
      "HC_ERR_CAPTURE_SOURCE_UNSUPPORTED",
      `live view of a ${source.type} camera comes from its capture, which is not running`,
      true,
    );
  }
  const gop = String(input.fps);
  const encode = input.recordIsH264
    ? ["-c:v", "copy", ...(opts.forWebRtc ? ["-bsf:v", "h264_mp4toannexb,dump_extra=freq=keyframe"] : [])]
    : // 1 s GOP: a joining viewer's first picture is at most 1 s away without asking for a key frame.
      [
        ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
        ...(opts.forWebRtc ? ["-profile:v", "baseline", "-level:v", "3.1"] : []),
        ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"],
      ];
  return [
    ...["-hide_banner", "-nostats", "-loglevel", "error"],
    ...input.args,
    ...["-map", `${input.recordInput}:v:0`, "-an"],
    ...encode,
  ];
}
