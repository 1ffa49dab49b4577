import { ApiError } from "@homecam/shared";
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  type RtpPacket,
  useOPUS,
  usePCMU,
} from "werift";
import { type ChosenCodec, trimOfferToOneCodec } from "./offer-codec.js";

// One WHIP publisher's werift peer: answers the publisher's offer with a receive-only video track of
// the one codec chosen from its offer. Nothing here touches pixels: packets go to the forwarder as
// they arrive. Audio is accepted (OBS always offers it) and dropped: cameras record video only.

export interface WhipPeerOptions {
  /** Extra host candidates; werift leaves loopback out, and a phone publishes to its own agent. */
  iceAdditionalHostAddresses?: string[];
}

export interface WhipPeer {
  pc: RTCPeerConnection;
  chosen: ChosenCodec;
  /** The SDP answer with every host candidate (not trickled, as for WHEP). */
  answer: string;
  /** Ask the publisher for a key frame (RTCP PLI); a no-op before its first packet. */
  requestKeyFrame(): void;
  /** Called with each video RTP packet (a fresh serialized copy) and its payload. */
  onPacket(handler: (packet: Buffer, payload: Buffer) => void): void;
}

function videoCodec(chosen: ChosenCodec): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: chosen.codec === "h264" ? "video/H264" : "video/VP8",
    clockRate: 90_000,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
    ...(chosen.fmtp && { parameters: chosen.fmtp }),
  });
}

/** Answer `offer`; an ApiError E_BAD_REQUEST when it is not an SDP offer with H.264 or VP8 video. */
export async function createWhipPeer(offer: string, opts: WhipPeerOptions = {}): Promise<WhipPeer> {
  const trimmed = trimOfferToOneCodec(offer);
  if (!trimmed) {
    throw new ApiError("E_BAD_REQUEST", "the offer has no H.264 (packetization-mode=1) or VP8 video");
  }
  const { chosen } = trimmed;
  const pc = new RTCPeerConnection({
    codecs: { video: [videoCodec(chosen)], audio: [useOPUS(), usePCMU()] },
    iceAdditionalHostAddresses: opts.iceAdditionalHostAddresses ?? ["127.0.0.1"],
    iceUseIpv6: false,
  });
  let handler: (packet: Buffer, payload: Buffer) => void = () => {};
  let ssrc: number | undefined;
  let transceiver: RTCRtpTransceiver | undefined;
  try {
    transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
        ssrc = rtp.header.ssrc;
        handler(rtp.serialize(), rtp.payload);
      });
    });
    await pc.setRemoteDescription({ type: "offer", sdp: trimmed.sdp }).catch((err: unknown) => {
      throw new ApiError("E_BAD_REQUEST", `not a usable SDP offer: ${String(err).slice(0, 200)}`);
    });
    if (transceiver.mid === null || transceiver.mid === undefined) {
      throw new ApiError("E_BAD_REQUEST", "the offer has no video m-line to send the camera");
    }
    await pc.setLocalDescription(await pc.createAnswer());
    const answer = pc.localDescription?.sdp;
    if (!answer) throw new ApiError("E_BAD_REQUEST", "no answer could be made for this offer");
    const receiver = transceiver.receiver;
    return {
      pc,
      chosen,
      answer,
      requestKeyFrame: () => {
        if (ssrc !== undefined) receiver.sendRtcpPLI(ssrc).catch(() => undefined);
      },
      onPacket: (h) => {
        handler = h;
      },
    };
  } catch (err) {
    await pc.close().catch(() => undefined);
    throw err;
  }
}
