import type { CameraSource } from "@homecam/shared";

// The live tap of a capture: the camera's one ffmpeg also sends its recorded H.264 as RTP to a
// loopback UDP port, where the live view reads it when someone watches. A USB camera or the Pi
// camera opens once, so a second reader is impossible; and the tap costs no encode: H.264 sources
// are stream-copied to it, and an encoded ring (MJPEG/YUYV webcams) shares its encoder with the tap
// through ffmpeg's tee muxer. Nobody listening is fine: the kernel drops datagrams to a closed port.

/** RTP payload type of the tap (and of the live RTP sources). */
export const TAP_PAYLOAD_TYPE = 96;
/** One RTP packet fits a 1280-byte IPv6 path MTU once SRTP and headers are added. */
export const TAP_PACKET_SIZE = 1200;

/** The tap's RTP URL on loopback. */
export function tapUrl(port: number): string {
  return `rtp://127.0.0.1:${port}?pkt_size=${TAP_PACKET_SIZE}`;
}

/** A separate stream-copy output (H.264 sources): arguments after `-map`. */
export function tapCopyOutput(port: number): string[] {
  return [
    ...["-c:v", "copy", "-bsf:v", "h264_mp4toannexb,dump_extra=freq=keyframe"],
    ...["-f", "rtp", "-payload_type", String(TAP_PAYLOAD_TYPE), tapUrl(port)],
  ];
}

/**
 * Escape a value for a tee slave's option list: the tee muxer unescapes the slave specification
 * once and the option parser once more, so `:` `\` `'` need two levels (measured on ffmpeg 5.1:
 * `segment_list=pipe\:3` fails, `pipe\\:3` works).
 */
function teeOption(value: string): string {
  return value.replace(/[\\:'|[\]]/g, (c) => `\\\\${c}`);
}

/** Escape a slave's target (file or URL): one level, for the tee separators. */
function teeTarget(value: string): string {
  return value.replace(/[\\|[\]]/g, (c) => `\\${c}`);
}

/**
 * Rewrite a muxer's output arguments (`-f <fmt> -<opt> <value>… <target>`) as one tee slave, so one
 * encode feeds both the ring and the tap. `onfail=ignore` on the tap only: a failing tap must never
 * stop the recording.
 */
export function teeRingWithTap(ringMuxerArgs: readonly string[], port: number): string[] {
  const args = [...ringMuxerArgs];
  const target = args.pop();
  if (args[0] !== "-f" || target === undefined || args.length % 2 !== 0) {
    throw new Error("ring muxer arguments must be -f <format>, option pairs, then the target");
  }
  const options: string[] = [`f=${args[1]}`];
  for (let i = 2; i < args.length; i += 2) {
    options.push(`${String(args[i]).replace(/^-/, "")}=${teeOption(String(args[i + 1]))}`);
  }
  const ring = `[${options.join(":")}]${teeTarget(target)}`;
  const tap = `[f=rtp:payload_type=${TAP_PAYLOAD_TYPE}:onfail=ignore]${teeTarget(tapUrl(port))}`;
  // SPS/PPS before every key frame: a viewer joining mid-stream can decode from the next one.
  return ["-bsf:v", "dump_extra=freq=keyframe", "-f", "tee", `${ring}|${tap}`];
}

/**
 * Sources whose live view comes from the capture's tap: devices one process holds (USB, the Pi
 * camera's pipe, a browser's WHIP stream) and network cameras (a second RTSP session would cost the
 * camera, which often allows few). The synthetic camera and MJPEG streams are read again instead:
 * their ring is encoded in High profile, which WebRTC viewers are not promised.
 */
export function hasLiveTap(source: CameraSource): boolean {
  return ["v4l2", "picam", "rtsp", "onvif", "browser"].includes(source.type);
}
