// The comparison server: @roamhq/wrtc (libwebrtc M106, no H.264) serving the same synthetic stream
// the agent passes through, which it must re-encode (VP8) for every peer connection. ffmpeg renders
// the agent's test scene once, as raw I420 on a pipe, at the same size and rate; one RTCVideoSource
// feeds every peer. Driven over IPC by wrtc-server.ts; alone in its process so its CPU is its own.
//
// wrtc is loaded with require and typed loosely here: its bundled types need the DOM lib, which the
// bench's TypeScript program does not have. A process that used an RTCVideoSource segfaults at
// natural exit (upstream node-webrtc #7): it ends with process.exit().

import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { testSceneGraph } from "../../agent/src/capture/test-scene.js";

export type WrtcRequest =
  | { type: "source"; width: number; height: number; fps: number }
  | { type: "offer"; id: number; sdp: string }
  | { type: "stats" }
  | { type: "close" };

export type WrtcReply =
  | { type: "ready" }
  | { type: "source-ready"; ffmpegPid: number }
  | { type: "answer"; id: number; sdp: string }
  | { type: "stats"; framesEncoded: number[] };

interface Sdp {
  type: "offer" | "answer";
  sdp: string;
}
interface PeerConnection {
  iceGatheringState: string;
  localDescription: Sdp | null;
  onicegatheringstatechange: (() => void) | null;
  addTrack(track: unknown): unknown;
  setRemoteDescription(d: Sdp): Promise<void>;
  createAnswer(): Promise<Sdp>;
  setLocalDescription(d: Sdp): Promise<void>;
  getStats(): Promise<Map<string, { type: string; kind?: string; framesEncoded?: number }>>;
  close(): void;
}
interface VideoSource {
  createTrack(): unknown;
  onFrame(frame: { width: number; height: number; data: Uint8ClampedArray }): void;
}
interface Wrtc {
  RTCPeerConnection: new (config: { iceServers: unknown[] }) => PeerConnection;
  nonstandard: { RTCVideoSource: new () => VideoSource };
}

const wrtc = createRequire(import.meta.url)("@roamhq/wrtc") as Wrtc;
const source = new wrtc.nonstandard.RTCVideoSource();
const track = source.createTrack();
const peers = new Map<number, PeerConnection>();
let ffmpeg: ChildProcess | undefined;
const send = (reply: WrtcReply) => process.send?.(reply);

function startSource(width: number, height: number, fps: number): void {
  // The agent's scene without the clock row (22 small squares: nothing for an encoder's cost), read
  // with -re as the agent reads it; the clock's own pacing is not needed where nobody reads it.
  const graph = testSceneGraph({ width, height, fps, scene: "moving-objects" });
  const args = ["-hide_banner", "-nostats", "-loglevel", "error", "-re", "-f", "lavfi", "-i", graph];
  ffmpeg = spawn("ffmpeg", [...args, "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const frameBytes = (width * height * 3) / 2;
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  ffmpeg.stdout?.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= frameBytes) {
      // A copy: wrtc may keep the frame after onFrame returns.
      const data = new Uint8ClampedArray(pending.subarray(0, frameBytes));
      pending = pending.subarray(frameBytes);
      source.onFrame({ width, height, data });
      if (first) send({ type: "source-ready", ffmpegPid: ffmpeg?.pid ?? 0 });
      first = false;
    }
  });
  ffmpeg.once("exit", (code) => {
    process.stderr.write(`wrtc server: ffmpeg exited (${code})\n`);
    process.exit(1);
  });
}

/** Answer a viewer's recvonly offer with the shared track (re-encoded for this peer alone). */
async function answer(id: number, sdp: string): Promise<void> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  peers.set(id, pc);
  await pc.setRemoteDescription({ type: "offer", sdp });
  pc.addTrack(track);
  await pc.setLocalDescription(await pc.createAnswer());
  // No trickle, as WHEP: the answer carries the candidates (bounded wait).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    const check = () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve();
    };
    pc.onicegatheringstatechange = check;
    check();
  });
  send({ type: "answer", id, sdp: pc.localDescription?.sdp ?? "" });
}

async function framesEncoded(): Promise<number[]> {
  const out: number[] = [];
  for (const pc of peers.values()) {
    let frames = 0;
    for (const s of (await pc.getStats()).values()) {
      if (s.type === "outbound-rtp" && s.kind === "video") frames += s.framesEncoded ?? 0;
    }
    out.push(frames);
  }
  return out;
}

const fail = (err: unknown) => {
  process.stderr.write(`wrtc server: ${String(err)}\n`);
  process.exit(1);
};
process.on("message", (msg: WrtcRequest) => {
  if (msg.type === "source") startSource(msg.width, msg.height, msg.fps);
  else if (msg.type === "offer") answer(msg.id, msg.sdp).catch(fail);
  else if (msg.type === "stats") framesEncoded().then((f) => send({ type: "stats", framesEncoded: f }), fail);
  else if (msg.type === "close") {
    for (const pc of peers.values()) pc.close();
    stopFfmpeg().then(() => process.exit(0), fail);
  }
});
process.on("SIGTERM", () => {
  stopFfmpeg().then(() => process.exit(0), fail);
});

/** SIGTERM, and keep reading its pipe until it has exited (else it complains of a broken pipe). */
function stopFfmpeg(): Promise<void> {
  const child = ffmpeg;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.removeAllListeners("exit");
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 2_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
send({ type: "ready" });
