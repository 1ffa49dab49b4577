import {
  deviceFilters,
  encodeMessage,
  type MessageBody,
  parseMessage,
  parseTopic,
  topics,
} from "@homecam/shared";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import type { TestDevice } from "../../helpers/device-keys.js";
import { type FakeAgent, startFakeAgent } from "../../helpers/fake-agent.js";

// A protocol-level device for relayed WHEP: the fake agent (real MQTT client, retained online
// status) plus the agent's side of the `rtc` contract — on `rtc.offer` in, a real werift peer
// answers with `rtc.answer` out (or the device refuses with `rtc.close` {reason: "E_…: …"}, or
// stays silent); `rtc.close` in is recorded.

/** How the device reacts to the next offers. */
export type RtcMode = { answer: true } | { refuse: string } | { silent: true };

export interface RtcDevice {
  agent: FakeAgent;
  mode: RtcMode;
  /** Offers received, in order. */
  offers: { sessionId: string; body: MessageBody<"rtc.offer"> }[];
  /** `rtc.close` received (down), in order. */
  closes: { sessionId: string; reason: string | undefined }[];
  /** The SDP answers sent, by session id. */
  answers: Map<string, string>;
  /** werift peers answering, by session id. */
  peers: Map<string, RTCPeerConnection>;
  /** Publish on this device's own `rtc/{sessionId}/out`. */
  publishOut(
    sessionId: string,
    message: { type: "rtc.answer"; sdp: string } | { type: "rtc.close"; reason: string },
  ): Promise<void>;
  stop(): Promise<void>;
}

const h264 = () =>
  new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
  });

/** A werift peer as the agent builds one: send-only H.264, answering `offer`. */
async function answerWith(offer: string): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new RTCPeerConnection({
    codecs: { video: [h264()], audio: [] },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
  pc.addTransceiver("video", { direction: "sendonly" });
  await pc.setRemoteDescription({ type: "offer", sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  return { pc, sdp: pc.localDescription?.sdp ?? "" };
}

export async function startRtcDevice(brokerPort: number, device: TestDevice): Promise<RtcDevice> {
  const agent = await startFakeAgent({ brokerPort, device, cameras: [{ id: "cam", status: "online" }] });
  const id = device.id;
  const publishOut: RtcDevice["publishOut"] = async (sessionId, message) => {
    const payload =
      message.type === "rtc.answer"
        ? encodeMessage("rtc.answer", { sdp: message.sdp })
        : encodeMessage("rtc.close", { reason: message.reason });
    await agent.client.publishAsync(topics.rtc(id, sessionId, "out"), payload, { qos: 1 });
  };
  const rtc: RtcDevice = {
    agent,
    mode: { answer: true },
    offers: [],
    closes: [],
    answers: new Map(),
    peers: new Map(),
    publishOut,
    async stop() {
      for (const pc of rtc.peers.values()) await pc.close().catch(() => undefined);
      agent.client.end(true);
    },
  };
  agent.client.on("message", (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== "rtc" || parsed.dir !== "in") return;
    const message = parseMessage(payload, ["rtc.offer", "rtc.close"]);
    if (!message.ok) return;
    const { sessionId } = parsed;
    if (message.message.type === "rtc.close") {
      rtc.closes.push({ sessionId, reason: message.message.body.reason });
      return;
    }
    const body = message.message.body;
    rtc.offers.push({ sessionId, body });
    const mode = rtc.mode;
    if ("silent" in mode) return;
    if ("refuse" in mode) {
      void publishOut(sessionId, { type: "rtc.close", reason: mode.refuse });
      return;
    }
    void answerWith(body.sdp).then(async ({ pc, sdp }) => {
      rtc.peers.set(sessionId, pc);
      rtc.answers.set(sessionId, sdp);
      await publishOut(sessionId, { type: "rtc.answer", sdp });
    });
  });
  await agent.client.subscribeAsync(deviceFilters.rtcIn(id), { qos: 1 });
  return rtc;
}

const viewers = new Set<RTCPeerConnection>();

/** Close every viewer peer made by viewerOffer (their UDP sockets). */
export async function closeViewers(): Promise<void> {
  for (const pc of viewers) await pc.close().catch(() => undefined);
  viewers.clear();
}

/** A WHEP viewer in Node (werift as a browser would be): receive-only H.264. */
export async function viewerOffer(): Promise<{ pc: RTCPeerConnection; offer: string }> {
  const pc = new RTCPeerConnection({
    codecs: { video: [h264()], audio: [] },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
  viewers.add(pc);
  pc.addTransceiver("video", { direction: "recvonly" });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, offer: pc.localDescription?.sdp ?? "" };
}
