import { z } from "zod";

const size = {
  width: z.number().int().min(16).max(7680).default(640).describe("Frame width in pixels."),
  height: z.number().int().min(16).max(4320).default(360).describe("Frame height in pixels."),
  fps: z.number().int().min(1).max(60).default(10).describe("Frames per second."),
};

const credentials = {
  username: z.string().max(128).optional().describe("User name, when not embedded in the URL."),
  password: z.string().max(256).optional().describe("Password; masked in every log line."),
};

/** Synthetic scene made by ffmpeg's lavfi sources: the demo and test default. */
export const testSourceSchema = z.strictObject({
  type: z.literal("test"),
  ...size,
  scene: z
    .enum(["moving-objects", "static", "noise"])
    .default("moving-objects")
    .describe("Which synthetic scene to render."),
  burnClock: z
    .boolean()
    .default(false)
    .describe(
      "Burn the wall clock (ms, 22 bits) into the picture's second row of squares, for glass-to-glass latency measurements.",
    ),
});

/** A USB/UVC camera through Video4Linux2. */
export const v4l2SourceSchema = z.strictObject({
  type: z.literal("v4l2"),
  device: z
    .string()
    .regex(/^\/dev\/video\d+$/)
    .default("/dev/video0")
    .describe("Device node."),
  inputFormat: z
    .enum(["auto", "mjpeg", "yuyv422", "h264"])
    .default("auto")
    .describe("Pixel format requested from the camera; h264 allows stream copy."),
  ...size,
});

/** The Raspberry Pi camera through rpicam-vid (or libcamera-vid on older images), piped as H.264. */
export const picamSourceSchema = z.strictObject({
  type: z.literal("picam"),
  command: z
    .enum(["auto", "rpicam-vid", "libcamera-vid"])
    .default("auto")
    .describe("Capture tool; auto picks the one installed."),
  ...size,
  bitrateKbps: z.number().int().min(100).max(25000).default(1500).describe("H.264 bitrate."),
});

/** An IP camera's RTSP stream. */
export const rtspSourceSchema = z.strictObject({
  type: z.literal("rtsp"),
  url: z
    .string()
    .regex(/^rtsps?:\/\//, "must start with rtsp:// or rtsps://")
    .describe("Stream URL."),
  transport: z.enum(["tcp", "udp"]).default("tcp").describe("RTP transport; tcp survives lossy Wi-Fi."),
  ...credentials,
  substreamUrl: z
    .string()
    .regex(/^rtsps?:\/\//)
    .optional()
    .describe("Low-resolution substream used for motion analysis, when the camera has one."),
});

/** An HTTP MJPEG stream, e.g. an Android IP-camera app. */
export const mjpegSourceSchema = z.strictObject({
  type: z.literal("mjpeg"),
  url: z
    .string()
    .regex(/^https?:\/\//, "must start with http:// or https://")
    .describe("MJPEG stream URL."),
  ...credentials,
  fps: z.number().int().min(1).max(30).default(10).describe("Frame rate to record at."),
});

/** An ONVIF camera: stream and snapshot URIs are read from the device, PTZ is exposed when supported. */
export const onvifSourceSchema = z.strictObject({
  type: z.literal("onvif"),
  host: z.string().min(1).max(253).describe("Camera host name or IP address."),
  port: z.number().int().min(1).max(65535).default(80).describe("ONVIF HTTP port."),
  ...credentials,
  profile: z.string().max(64).optional().describe("Media profile token; the first profile when absent."),
  transport: z.enum(["tcp", "udp"]).default("tcp").describe("RTP transport for the stream URI."),
});

/** A browser (a phone's camera) publishing to the agent's /capture page over WHIP. */
export const browserSourceSchema = z.strictObject({
  type: z.literal("browser"),
  ...size,
});

/** Every kind of camera source, discriminated by `type`. */
export const cameraSourceSchema = z
  .discriminatedUnion("type", [
    testSourceSchema,
    v4l2SourceSchema,
    picamSourceSchema,
    rtspSourceSchema,
    mjpegSourceSchema,
    onvifSourceSchema,
    browserSourceSchema,
  ])
  .describe("Where the video comes from.");

export type CameraSource = z.infer<typeof cameraSourceSchema>;
export type CameraSourceType = CameraSource["type"];
