// The viewers of the CPU parts, in their own Node process so their work is not counted on the
// server's side: werift peers that offer to receive one video track (H.264 for the agent's WHEP,
// VP8 for wrtc) and count the RTP packets that arrive. Driven over the IPC channel by viewers.ts.

import { type MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from "werift";

export type ViewerCodec = "h264" | "vp8";

export type ViewerRequest =
  | { type: "open"; id: number; codec: ViewerCodec }
  | { type: "answer"; id: number; sdp: string }
  | { type: "stats" }
  | { type: "close" };

export type ViewerReply =
  | { type: "ready" }
  | { type: "offer"; id: number; sdp: string }
  | { type: "stats"; packets: number[] }
  | { type: "closed" };

const CODECS: Record<ViewerCodec, RTCRtpCodecParameters> = {
  h264: new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
  }),
  vp8: new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90_000 }),
};

const peers = new Map<number, { pc: RTCPeerConnection; packets: number }>();
const send = (reply: ViewerReply) => process.send?.(reply);

async function open(id: number, codec: ViewerCodec): Promise<void> {
  // werift leaves loopback out of its host candidates; the bench runs on loopback only.
  const pc = new RTCPeerConnection({
    codecs: { video: [CODECS[codec]], audio: [] },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
  const peer = { pc, packets: 0 };
  peers.set(id, peer);
  pc.addTransceiver("video", { direction: "recvonly" }).onTrack.subscribe((track: MediaStreamTrack) => {
    track.onReceiveRtp.subscribe(() => {
      peer.packets += 1;
    });
  });
  await pc.setLocalDescription(await pc.createOffer());
  send({ type: "offer", id, sdp: pc.localDescription?.sdp ?? "" });
}

process.on("message", (msg: ViewerRequest) => {
  const fail = (err: unknown) => {
    process.stderr.write(`viewers: ${String(err)}\n`);
    process.exit(1);
  };
  if (msg.type === "open") open(msg.id, msg.codec).catch(fail);
  else if (msg.type === "answer") {
    peers.get(msg.id)?.pc.setRemoteDescription({ type: "answer", sdp: msg.sdp }).catch(fail);
  } else if (msg.type === "stats") {
    send({ type: "stats", packets: [...peers.values()].map((p) => p.packets) });
  } else if (msg.type === "close") {
    Promise.allSettled([...peers.values()].map((p) => p.pc.close())).then(() => {
      send({ type: "closed" });
      process.exit(0);
    }, fail);
  }
});
send({ type: "ready" });
