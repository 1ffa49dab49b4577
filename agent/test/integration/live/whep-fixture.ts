import { createLogger } from "@homecam/shared/node";
import { Router } from "express";
import { type MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import { LiveHub } from "../../../src/live/live-hub.js";
import { livePageRoutes } from "../../../src/live/live-page.js";
import { liveUpgradeHandler } from "../../../src/live/live-socket.js";
import { ffmpegLiveSources, type LiveStream } from "../../../src/live/live-source.js";
import { ffmpegRtpSources, type RtpSourceFactory } from "../../../src/live/rtp-source.js";
import { WhepHub } from "../../../src/live/whep-hub.js";
import { whepCorsRoutes, whepRoutes } from "../../../src/live/whep-routes.js";
import { openAgentStore } from "../../../src/store/agent-store.js";
import { camera, tempDir } from "../capture/helpers.js";
import { startLanTestServer } from "../lan-test-server.js";
import { testLanTokens } from "./test-lan-tokens.js";

// A real LAN server with WHEP (werift, real ffmpeg RTP of the synthetic camera) and the fMP4
// fallback, real LAN-token checks (EdDSA JWTs signed here with a key the verifier trusts).

export const DEVICE_ID = "dev-whep-test";
export const CAMERA_ID = "yard";
/** A configured camera whose source (a v4l2 device) cannot be viewed live yet: 415. */
export const V4L2_CAMERA_ID = "door";
const log = createLogger({ name: "test", level: "silent" });

export interface WhepFixture {
  url: string;
  whep: WhepHub;
  /** RTP sources started so far, with their ffmpeg pids. */
  started: LiveStream[];
  token(opts?: { sub?: string; aud?: string }): Promise<string>;
  setArmed(armed: boolean): void;
  close(): Promise<void>;
}

export async function startWhepFixture(opts: { host?: string } = {}): Promise<WhepFixture> {
  const dir = await tempDir("whep");
  const store = await openAgentStore(dir.path, { log });
  const tokens = await testLanTokens(store.db, DEVICE_ID, log);
  const verifier = tokens.verifier;
  const cameras = new Map(
    [
      camera({
        id: CAMERA_ID,
        source: { type: "test", width: 320, height: 240, fps: 10, scene: "moving-objects" },
      }),
      camera({ id: V4L2_CAMERA_ID, source: { type: "v4l2" } }),
    ].map((c) => [c.id, c.source]),
  );
  let armed = true;
  const cameraSource = (id: string) => (armed ? cameras.get(id) : undefined);
  const real = ffmpegRtpSources({ cameraSource, log });
  const started: LiveStream[] = [];
  const sources: RtpSourceFactory = (id, sink) => {
    const stream = real(id, sink);
    if (stream && "stop" in stream) started.push(stream);
    return stream;
  };
  const whep = new WhepHub({ sources, stopDelayMs: 300, allowed: () => armed, recheckMs: 100, log });
  const live = new LiveHub({ sources: ffmpegLiveSources({ cameraSource, log }), stopDelayMs: 300, log });
  await whep.start();
  const server = await startLanTestServer({
    verifyToken: verifier.verify,
    log,
    publicRoutes: Router().use(whepCorsRoutes(), livePageRoutes()),
    routes: whepRoutes({ hub: whep }),
    upgrade: liveUpgradeHandler({ hub: live, verifyToken: verifier.verify, log }),
    host: opts.host ?? "127.0.0.1",
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    whep,
    started,
    token: tokens.token,
    setArmed: (value) => {
      armed = value;
    },
    close: async () => {
      await whep.stop();
      await live.stop();
      await server.stop();
      await store.close();
      await dir.remove();
    },
  };
}

/** A WHEP viewer in Node (werift as the browser would be): counts the RTP packets it receives. */
export interface NodeViewer {
  pc: RTCPeerConnection;
  offer: string;
  packets: () => number;
}

export async function nodeViewer(): Promise<NodeViewer> {
  const h264 = new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90_000,
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
  });
  const pc = new RTCPeerConnection({
    codecs: { video: [h264], audio: [] },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
  let packets = 0;
  pc.addTransceiver("video", { direction: "recvonly" }).onTrack.subscribe((track: MediaStreamTrack) => {
    track.onReceiveRtp.subscribe(() => {
      packets += 1;
    });
  });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, offer: pc.localDescription?.sdp ?? "", packets: () => packets };
}
