import { ApiError, type IceServer } from "@homecam/shared";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from "werift";

// One WHEP viewer's werift peer: answers the viewer's offer with a send-only H.264 video track.
// Nothing here touches pixels: RTP packets written to the track go out as they came from ffmpeg.

/** The only codec offered: what ffmpeg sends (Constrained Baseline, packetization-mode 1). */
function h264Codec(): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90_000,
    // No PLI/FIR: a stream-copied camera cannot be asked for a key frame; joiners wait ≤ 1 GOP.
    rtcpFeedback: [{ type: "nack" }],
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
  });
}

export interface WhepPeerOptions {
  /**
   * Extra host candidates. werift leaves loopback out of its host candidates, so a viewer on the
   * same machine (tests, a phone running the agent and its browser) needs `['127.0.0.1']`.
   */
  iceAdditionalHostAddresses?: string[];
}

/** Per-session extras: STUN/TURN servers the cloud minted for a relayed viewer behind NAT. */
export interface WhepPeerSessionOptions {
  iceServers?: readonly IceServer[] | undefined;
}

/** werift takes one URL per server entry. */
function weriftIceServers(servers: readonly IceServer[] = []) {
  return servers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls]).map((urls) => ({
      urls,
      ...(s.username !== undefined && { username: s.username }),
      ...(s.credential !== undefined && { credential: s.credential }),
    })),
  );
}

export interface WhepPeer {
  pc: RTCPeerConnection;
  /** Write RTP packets here (one Buffer per call: werift rewrites headers of the packet it parses). */
  track: MediaStreamTrack;
  /** The SDP answer, with every host candidate (WHEP answers are not trickled by default). */
  answer: string;
}

/** Answer `offer`; an ApiError E_BAD_REQUEST when it is not an SDP offer with H.264 video we can send. */
export async function createWhepPeer(
  offer: string,
  opts: WhepPeerOptions = {},
  session: WhepPeerSessionOptions = {},
): Promise<WhepPeer> {
  const pc = new RTCPeerConnection({
    codecs: { video: [h264Codec()], audio: [] },
    iceServers: weriftIceServers(session.iceServers),
    iceAdditionalHostAddresses: opts.iceAdditionalHostAddresses ?? ["127.0.0.1"],
    iceUseIpv6: false,
  });
  try {
    const track = new MediaStreamTrack({ kind: "video" });
    // Added before the offer is applied, so werift binds it to the offer's first video m-line.
    const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setRemoteDescription({ type: "offer", sdp: offer }).catch((err: unknown) => {
      throw new ApiError("E_BAD_REQUEST", `not a usable SDP offer: ${String(err).slice(0, 200)}`);
    });
    if (transceiver.mid === null || transceiver.mid === undefined) {
      throw new ApiError("E_BAD_REQUEST", "the offer has no video m-line to receive the camera");
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const sdp = pc.localDescription?.sdp;
    if (!sdp || !/^a=rtpmap:\d+ H264\/90000/im.test(sdp)) {
      throw new ApiError("E_BAD_REQUEST", "the offer does not accept H.264 (42e01f) video");
    }
    return { pc, track, answer: sdp };
  } catch (err) {
    await pc.close().catch(() => undefined);
    throw err;
  }
}
