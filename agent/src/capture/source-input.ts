import type { CameraSource } from "@homecam/shared";
import { CaptureError } from "./capture-error.js";
import { testSceneGraph } from "./test-scene.js";

/** A process whose stdout feeds ffmpeg's stdin (the Pi camera's `rpicam-vid`). */
export interface ProducerCommand {
  file: string;
  args: string[];
}

/** How one camera source enters ffmpeg: input arguments and what the streams carry. */
export interface SourceInput {
  /** ffmpeg arguments of every input, in order, each ending with `-i <url>`. */
  args: string[];
  /** Index of the input recorded into the ring. */
  recordInput: number;
  /** Index of the input decoded for analysis (a substream when the camera has one). */
  analysisInput: number;
  /** The recorded input is H.264: the ring takes it by stream copy, no re-encode. */
  recordIsH264: boolean;
  /** Frame rate to encode at when not copying (GOP = 1 s needs it). */
  fps: number;
  /**
   * Force the recording to exactly this rate. Only for sources whose timing ffmpeg cannot know: the
   * mpjpeg demuxer claims 25 fps, so a 10 fps phone stream was recorded with every frame duplicated
   * 2.5×. Not for v4l2: a camera slowing down in low light must not get duplicated frames.
   */
  outputRate?: number;
  /** Frame size of the analysis input when known before probing. */
  size?: { width: number; height: number };
  /** Started first; its stdout becomes ffmpeg's stdin. */
  producer?: ProducerCommand;
}

/** What the effectful side resolved before building (ONVIF URL, installed picam tool). */
export interface SourceContext {
  /** Output of `resolveOnvifSource` for an `onvif` source. */
  onvif?: { streamUrl: string; snapshotUrl?: string };
  /** Which Pi camera tool is installed when the config says `auto` (default `rpicam-vid`). */
  picamTool?: "rpicam-vid" | "libcamera-vid";
  /** Where a `browser` camera's RTP arrives (the WHIP ingest's `consume`). */
  browser?: BrowserInput;
}

/** An SDP file naming the loopback port the WHIP ingest forwards a publisher's RTP to. */
export interface BrowserInput {
  sdpPath: string;
  codec: "h264" | "vp8";
}

/** RTSP socket I/O timeout: ffmpeg 5+ takes `-timeout` in microseconds (formerly `-stimeout`). */
export const RTSP_TIMEOUT_US = 5_000_000;
/** HTTP read/write timeout for MJPEG, microseconds. */
export const HTTP_RW_TIMEOUT_US = 10_000_000;

type Source<T extends CameraSource["type"]> = Extract<CameraSource, { type: T }>;

/** Inputs for `source`; a `CaptureError` when this source cannot be captured by ffmpeg here. */
export function sourceInput(source: CameraSource, ctx: SourceContext = {}): SourceInput | CaptureError {
  switch (source.type) {
    case "test":
      return {
        // -re: read at the native rate, so the synthetic scene is paced like a real camera.
        args: ["-re", "-f", "lavfi", "-i", testSceneGraph(source)],
        ...single(false, source.fps),
        size: { width: source.width, height: source.height },
      };
    case "v4l2":
      return v4l2Input(source);
    case "picam":
      return picamInput(source, ctx);
    case "rtsp":
      return rtspInput(source.url, source.transport, source, source.substreamUrl);
    case "onvif":
      if (!ctx.onvif) {
        return new CaptureError(
          "HC_ERR_CAPTURE_ONVIF_UNRESOLVED",
          "the ONVIF stream URL is not resolved",
          false,
        );
      }
      return rtspInput(ctx.onvif.streamUrl, source.transport, source);
    case "mjpeg":
      return {
        args: [
          // MJPEG over HTTP carries no timestamps: stamp frames on arrival so the recording keeps real time
          // even when the phone app's rate wanders.
          "-use_wallclock_as_timestamps",
          "1",
          // A live multipart stream has no length: reconnect_streamed lets the http protocol reconnect anyway.
          "-reconnect",
          "1",
          "-reconnect_streamed",
          "1",
          "-reconnect_on_network_error",
          "1",
          "-reconnect_delay_max",
          "5",
          "-rw_timeout",
          String(HTTP_RW_TIMEOUT_US),
          "-i",
          withCredentials(source.url, source),
        ],
        ...single(false, source.fps),
        outputRate: source.fps,
      };
    case "browser":
      if (!ctx.browser) {
        // Also what the live paths get (they pass no context).
        return new CaptureError(
          "HC_ERR_CAPTURE_SOURCE_UNSUPPORTED",
          "browser sources need the live-view module's WHIP ingest (/capture) to be captured, and live view of a browser camera comes from its capture, which has no publisher yet",
          true,
        );
      }
      return browserInput(ctx.browser, source.fps);
  }
}

/** Flags before an H.264 input that is decoded only for analysis. */
function h264AnalysisDecode(): string[] {
  // The loop filter only improves picture quality; motion analysis doesn't need it (−19 % decode CPU
  // measured, performance.md §4.3). One thread: frame threading would delay analysis frames by
  // (threads − 1) frames relative to the ring segments. The recording is stream copy, so unaffected.
  return ["-skip_loop_filter", "all", "-threads", "1"];
}

function single(isH264: boolean, fps: number) {
  return { recordInput: 0, analysisInput: 0, recordIsH264: isH264, fps };
}

function browserInput(b: BrowserInput, fps: number): SourceInput {
  const isH264 = b.codec === "h264";
  return {
    // RTP timestamps give the frames their real timing; the size is probed (a phone may rotate).
    args: [
      ...(isH264 ? h264AnalysisDecode() : []),
      "-protocol_whitelist",
      "file,udp,rtp",
      "-f",
      "sdp",
      "-i",
      b.sdpPath,
    ],
    ...single(isH264, fps),
  };
}

function v4l2Input(s: Source<"v4l2">): SourceInput {
  const isH264 = s.inputFormat === "h264";
  return {
    args: [
      ...(isH264 ? h264AnalysisDecode() : []),
      "-f",
      "v4l2",
      ...(s.inputFormat === "auto" ? [] : ["-input_format", s.inputFormat]),
      "-video_size",
      `${s.width}x${s.height}`,
      "-framerate",
      String(s.fps),
      "-i",
      s.device,
    ],
    ...single(isH264, s.fps),
    size: { width: s.width, height: s.height },
  };
}

function picamInput(s: Source<"picam">, ctx: SourceContext): SourceInput {
  const tool = s.command === "auto" ? (ctx.picamTool ?? "rpicam-vid") : s.command;
  return {
    args: [
      ...h264AnalysisDecode(),
      // Raw Annex B has no timestamps: generate them from the frame rate rpicam-vid is told to hold.
      "-fflags",
      "+genpts",
      "-f",
      "h264",
      "-framerate",
      String(s.fps),
      "-i",
      "pipe:0",
    ],
    ...single(true, s.fps),
    size: { width: s.width, height: s.height },
    producer: {
      file: tool,
      args: [
        "-t",
        "0", // run until stopped
        "-n", // no preview window
        "--inline", // SPS/PPS before every key frame: each segment decodes on its own
        "--codec",
        "h264",
        "--width",
        String(s.width),
        "--height",
        String(s.height),
        "--framerate",
        String(s.fps),
        "--bitrate",
        String(s.bitrateKbps * 1000),
        "--intra",
        String(s.fps), // GOP = 1 s, so clips can be cut at 1 s granularity without re-encoding
        "--flush", // write each frame as soon as it is encoded
        "-o",
        "-",
      ],
    },
  };
}

function rtspInput(
  url: string,
  transport: "tcp" | "udp",
  creds: { username?: string | undefined; password?: string | undefined },
  substreamUrl?: string,
): SourceInput {
  const opts = ["-rtsp_transport", transport, "-timeout", String(RTSP_TIMEOUT_US)];
  const main = [...opts, ...(substreamUrl ? [] : h264AnalysisDecode()), "-i", withCredentials(url, creds)];
  if (!substreamUrl) return { args: main, ...single(true, 0) };
  // The substream is decoded for analysis, the main stream only copied: still one ffmpeg per camera.
  const sub = [...opts, ...h264AnalysisDecode(), "-i", withCredentials(substreamUrl, creds)];
  return { args: [...main, ...sub], recordInput: 0, analysisInput: 1, recordIsH264: true, fps: 0 };
}

/**
 * Put separately configured credentials into `url` (they replace any already there), percent-encoded
 * so `@ : / %` in a password survive; ffmpeg decodes them before authenticating.
 */
export function withCredentials(
  url: string,
  creds: { username?: string | undefined; password?: string | undefined },
): string {
  if (creds.username === undefined && creds.password === undefined) return url;
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/@]*@)?(.*)$/is.exec(url);
  if (!m) return url;
  const user = encodeURIComponent(creds.username ?? "");
  const pass = creds.password === undefined ? "" : `:${encodeURIComponent(creds.password)}`;
  return `${m[1]}${user}${pass}@${m[2]}`;
}
