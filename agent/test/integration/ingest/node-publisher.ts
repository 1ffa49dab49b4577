import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from "werift";

// A WHIP publisher in Node, the reverse of the WHEP viewer fixture: ffmpeg encodes a lavfi picture
// to H.264 RTP on loopback, a werift peer sends those packets to the agent as a browser would.

/** A box that moves across a gray picture for `moveS` seconds, then stays still. */
export function movingBoxSource(moveS: number): string {
  return `color=c=gray:s=320x240:r=10,drawbox=x='if(lt(t,${moveS}),t*30,${moveS}*30)':y=80:w=60:h=60:color=white:t=fill`;
}

export interface NodePublisher {
  pc: RTCPeerConnection;
  /** The WHIP POST's answer. */
  status: number;
  location: string | null;
  /** RTCP PLIs the agent sent (key frame requests). */
  plis: () => number;
  close(): Promise<void>;
}

export type PublisherCodec = "h264" | "vp8";

export function offerer(codec: PublisherCodec = "h264"): RTCPeerConnection {
  const video = new RTCRtpCodecParameters({
    mimeType: codec === "h264" ? "video/H264" : "video/VP8",
    clockRate: 90_000,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
    ...(codec === "h264" && {
      parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
    }),
  });
  return new RTCPeerConnection({
    codecs: { video: [video], audio: [] },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
}

const ENCODERS: Record<PublisherCodec, string[]> = {
  h264: [
    ...["-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast", "-tune", "zerolatency"],
    ...["-pix_fmt", "yuv420p", "-g", "10", "-bsf:v", "dump_extra=freq=keyframe"],
  ],
  vp8: ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "10", "-b:v", "300k"],
};

/** Publish `lavfi` (10 fps, 1 s GOP) to `whipUrl` with `token`. */
export async function nodePublisher(
  whipUrl: string,
  token: string,
  lavfi: string,
  codec: PublisherCodec = "h264",
): Promise<NodePublisher> {
  const pc = offerer(codec);
  const track = new MediaStreamTrack({ kind: "video" });
  const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
  let plis = 0;
  transceiver.sender.onPictureLossIndication.subscribe(() => {
    plis += 1;
  });
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(whipUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/sdp" },
    body: pc.localDescription?.sdp ?? "",
  });
  const answer = await res.text();
  let ffmpeg: ChildProcess | undefined;
  const socket = createSocket("udp4");
  if (res.status === 201) {
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    socket.on("message", (bytes) => track.writeRtp(bytes));
    socket.bind(0, "127.0.0.1");
    await once(socket, "listening");
    const port = socket.address().port;
    ffmpeg = spawn(
      "ffmpeg",
      [
        ...["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", lavfi],
        ...ENCODERS[codec],
        ...["-f", "rtp", "-payload_type", "96", `rtp://127.0.0.1:${port}?pkt_size=1200`],
      ],
      { stdio: "ignore" },
    );
  }
  return {
    pc,
    status: res.status,
    location: res.headers.get("location"),
    plis: () => plis,
    close: async () => {
      if (ffmpeg && ffmpeg.exitCode === null) {
        const exited = once(ffmpeg, "exit");
        ffmpeg.kill("SIGTERM");
        await exited;
      }
      if (res.status === 201) socket.close();
      await pc.close();
    },
  };
}
