import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import type { CameraSource } from "@homecam/shared";
import { CaptureError } from "../capture/capture-error.js";
import { stopChild } from "../capture/process-stop.js";
import type { FfmpegLiveSourcesOptions, LiveStream } from "./live-source.js";
import { liveVideoArgs } from "./live-video-args.js";

// The WebRTC path's source: ffmpeg packetizes H.264 into RTP (RFC 6184, packetization-mode 1) and
// sends it to a UDP socket on loopback that only this process reads. werift then forwards those
// packets unchanged (it rewrites only SSRC, payload type, sequence and timestamp offsets), so the
// Node process never decodes or encodes video. Why a second reader and not a tap of the capture:
// see live-source.ts — the same reasoning and the same "unsupported" answer for exclusive devices.

/** RTP payload type ffmpeg stamps; werift rewrites it to the one each viewer negotiated. */
export const RTP_PAYLOAD_TYPE = 96;
/** Fits one RTP packet in a 1280-byte IPv6 path MTU once SRTP and headers are added. */
const RTP_PACKET_SIZE = 1200;

/** What a running RTP source delivers. */
export interface RtpSink {
  /** One RTP packet of the camera's H.264 video. */
  packet(bytes: Buffer): void;
  /** The source ended on its own (camera gone, ffmpeg failed). Not called after `stop()`. */
  ended(reason: string): void;
}

/** Start an RTP source for a camera: null for an unknown camera, a CaptureError when unsupported. */
export type RtpSourceFactory = (cameraId: string, sink: RtpSink) => LiveStream | CaptureError | null;

/** The ffmpeg arguments of an H.264 RTP stream of `source` sent to `rtp://127.0.0.1:<port>`. */
export function rtpFfmpegArgs(source: CameraSource, port: number): string[] | CaptureError {
  const video = liveVideoArgs(source, { forWebRtc: true });
  if (video instanceof CaptureError) return video;
  return [
    ...video,
    ...["-f", "rtp", "-payload_type", String(RTP_PAYLOAD_TYPE)],
    `rtp://127.0.0.1:${port}?pkt_size=${RTP_PACKET_SIZE}`,
  ];
}

/** An {@link RtpSourceFactory} that runs one ffmpeg per watched camera. */
export function ffmpegRtpSources(opts: FfmpegLiveSourcesOptions): RtpSourceFactory {
  return (cameraId, sink) => {
    const source = opts.cameraSource(cameraId);
    if (!source) return null;
    // Validate the source before binding anything; the port is filled in once the socket is bound.
    const check = rtpFfmpegArgs(source, 0);
    if (check instanceof CaptureError) return check;
    return runRtpFfmpeg(opts.ffmpegPath ?? "ffmpeg", source, sink, opts.log);
  };
}

/** An RTP packet of ours: version 2 and our payload type (RTCP or strays on the port are dropped). */
function isOurRtp(bytes: Buffer): boolean {
  return bytes.length > 12 && (bytes[0] ?? 0) >> 6 === 2 && ((bytes[1] ?? 0) & 0x7f) === RTP_PAYLOAD_TYPE;
}

function runRtpFfmpeg(
  file: string,
  source: CameraSource,
  sink: RtpSink,
  log: FfmpegLiveSourcesOptions["log"],
): LiveStream {
  const socket = createSocket("udp4");
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let stopping = false;
  let stderrTail = "";
  const end = (reason: string) => {
    if (stopping) return;
    stopping = true;
    socket.close();
    sink.ended(reason);
  };
  socket.on("message", (bytes) => {
    if (!stopping && isOurRtp(bytes)) sink.packet(bytes);
  });
  socket.on("error", (err) => end(`RTP socket failed: ${err.message}`));
  const stream: { pid?: number | undefined; stop(): Promise<void> } = {
    stop: async () => {
      if (!stopping) socket.close();
      stopping = true;
      if (child) await stopChild(child, exited, { quit: true, termAfterMs: 1_000, killAfterMs: 3_000 });
    },
  };
  socket.bind(0, "127.0.0.1", () => {
    if (stopping) return;
    const args = rtpFfmpegArgs(source, socket.address().port) as string[];
    const proc = spawn(file, args, { stdio: ["pipe", "ignore", "pipe"] });
    child = proc;
    stream.pid = proc.pid;
    exited = once(proc, "close").catch(() => undefined);
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-500);
    });
    for (const s of proc.stdio) s?.on("error", () => {});
    proc.on("error", (err) => end(`cannot start ffmpeg: ${err.message}`));
    void exited.then(() => {
      if (!stopping) log.warn({ code: proc.exitCode, stderr: stderrTail }, "RTP ffmpeg ended");
      end(stderrTail.trim() || `ffmpeg exited with ${proc.exitCode ?? proc.signalCode}`);
    });
    log.debug({ pid: proc.pid }, "RTP ffmpeg started");
  });
  return stream;
}
