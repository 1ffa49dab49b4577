import { createSocket } from "node:dgram";
import type { Logger } from "@homecam/shared/node";
import { TAP_PAYLOAD_TYPE } from "../capture/rtp-tap.js";
import { freeUdpPortPair } from "../capture/udp-ports.js";
import type { CaptureTaps } from "./capture-tap.js";
import { FMP4_OUTPUT, type LiveSourceFactory, type LiveStream, runLiveFfmpeg } from "./live-source.js";
import type { RtpSourceFactory } from "./rtp-source.js";

// Live view of a camera whose capture has a tap (USB, Pi camera, RTSP, ONVIF): no second reader of
// the camera. WebRTC forwards the tap's packets as they are; the fMP4 fallback remuxes them (stream
// copy) in an ffmpeg reading RTP described by an SDP. Cameras without a tap use `fallback`.

/** WebRTC sources: the tap when the camera has one, else `fallback` (its own ffmpeg). */
export function tappedRtpSources(taps: CaptureTaps, fallback: RtpSourceFactory): RtpSourceFactory {
  return (cameraId, sink) => {
    let done = false;
    const stop = taps.listen(
      cameraId,
      (packet) => sink.packet(packet),
      (reason) => {
        if (done) return;
        done = true;
        sink.ended(reason);
      },
    );
    if (!stop) return fallback(cameraId, sink);
    return {
      stop: async () => {
        done = true;
        stop();
      },
    };
  };
}

/** The SDP of the tap's H.264 RTP arriving on `port`, as a data: URL (no file to clean up). */
export function tapSdpUrl(port: number): string {
  const sdp = [
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=homecam capture tap",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=video ${port} RTP/AVP ${TAP_PAYLOAD_TYPE}`,
    `a=rtpmap:${TAP_PAYLOAD_TYPE} H264/90000`,
    `a=fmtp:${TAP_PAYLOAD_TYPE} packetization-mode=1`,
    "",
  ].join("\r\n");
  return `data:application/sdp;base64,${Buffer.from(sdp).toString("base64")}`;
}

/** The fMP4 remuxer's arguments: RTP in (SDP), stream copy out. */
export function tapFmp4Args(port: number): string[] {
  return [
    ...["-hide_banner", "-nostats", "-loglevel", "error"],
    // The SPS comes with the next key frame (≤ 1 GOP): probe no longer than that needs.
    ...["-analyzeduration", "2000000", "-probesize", "1000000"],
    ...["-protocol_whitelist", "data,udp,rtp", "-f", "sdp", "-i", tapSdpUrl(port)],
    ...["-map", "0:v:0", "-an", "-c:v", "copy"],
    ...FMP4_OUTPUT,
  ];
}

export interface TappedLiveOptions {
  ffmpegPath?: string;
  log: Pick<Logger, "warn" | "debug">;
}

/** fMP4 sources: a stream-copy remux of the tap when the camera has one, else `fallback`. */
export function tappedLiveSources(
  taps: CaptureTaps,
  fallback: LiveSourceFactory,
  opts: TappedLiveOptions,
): LiveSourceFactory {
  return (cameraId, sink) => {
    if (!taps.has(cameraId)) return fallback(cameraId, sink);
    const sender = createSocket("udp4");
    let stopped = false;
    let remux: LiveStream | undefined;
    let unlisten: (() => void) | null = null;
    const end = (reason: string) => {
      if (stopped) return;
      stopped = true;
      unlisten?.();
      sender.close();
      void remux?.stop();
      sink.ended(reason);
    };
    sender.on("error", (err) => end(`cannot forward the tap: ${err.message}`));
    // The remuxer reads an SDP, so it binds the port and the next one (RTCP): a free pair.
    void freeUdpPortPair().then(
      (port) => {
        if (stopped) return;
        remux = runLiveFfmpeg(
          opts.ffmpegPath ?? "ffmpeg",
          tapFmp4Args(port),
          { ...sink, ended: end },
          opts.log,
        );
        unlisten = taps.listen(cameraId, (packet) => sender.send(packet, port, "127.0.0.1"), end);
        if (!unlisten) end("the camera's capture has no live tap now");
      },
      (err: unknown) => end(`no free UDP port: ${String(err)}`),
    );
    return {
      stop: async () => {
        if (!stopped) {
          stopped = true;
          unlisten?.();
          sender.close();
        }
        await remux?.stop();
      },
    };
  };
}
