import { createLogger } from "@homecam/shared/node";
import { WebSocket } from "ws";
import { LiveHub } from "../../../src/live/live-hub.js";
import { livePageRoutes } from "../../../src/live/live-page.js";
import { liveUpgradeHandler } from "../../../src/live/live-socket.js";
import { ffmpegLiveSources, type LiveSourceFactory, type LiveStream } from "../../../src/live/live-source.js";
import { type AgentStore, openAgentStore } from "../../../src/store/agent-store.js";
import { camera, tempDir } from "../capture/helpers.js";
import { startLanTestServer } from "../lan-test-server.js";
import { testLanTokens } from "./test-lan-tokens.js";

// A real LAN server with the live WebSocket, real LAN-token checking (EdDSA JWTs signed here with a
// key the verifier trusts, revocations in a real agent store) and real ffmpeg live sources of the
// synthetic camera.

export const DEVICE_ID = "dev-live-test";
export const CAMERA_ID = "yard";
const log = createLogger({ name: "test", level: "silent" });

export interface LiveFixture {
  url: string;
  wsUrl(cameraId: string): string;
  hub: LiveHub;
  /** Live streams started so far (one per started source), with their ffmpeg pids. */
  started: LiveStream[];
  token(opts?: { sub?: string; aud?: string }): Promise<string>;
  revoke(userId: string): Promise<void>;
  /** Put the camera in or out of privacy mode (what the hub's `allowed` answers). */
  setArmed(armed: boolean): void;
  close(): Promise<void>;
}

export async function startLiveFixture(opts: { stopDelayMs?: number } = {}): Promise<LiveFixture> {
  const dir = await tempDir("live");
  const store: AgentStore = await openAgentStore(dir.path, { log });
  const tokens = await testLanTokens(store.db, DEVICE_ID, log);
  const verifier = tokens.verifier;
  const yard = camera({
    id: CAMERA_ID,
    source: { type: "test", width: 320, height: 240, fps: 10, scene: "moving-objects" },
  });
  const real = ffmpegLiveSources({ cameraSource: (id) => (id === CAMERA_ID ? yard.source : undefined), log });
  const started: LiveStream[] = [];
  const sources: LiveSourceFactory = (id, sink) => {
    const stream = real(id, sink);
    if (stream && "stop" in stream) started.push(stream);
    return stream;
  };
  let armed = true;
  const hub = new LiveHub({
    sources,
    stopDelayMs: opts.stopDelayMs ?? 500,
    allowed: () => armed,
    recheckMs: 100,
    log,
  });
  await hub.start();
  const server = await startLanTestServer({
    verifyToken: verifier.verify,
    log,
    publicRoutes: livePageRoutes(),
    upgrade: liveUpgradeHandler({ hub, verifyToken: verifier.verify, log, authTimeoutMs: 2_000 }),
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    wsUrl: (id) => `ws://127.0.0.1:${server.port}/api/cameras/${id}/live`,
    hub,
    started,
    token: tokens.token,
    revoke: (userId) => tokens.revocations.revoke(userId),
    setArmed: (value) => {
      armed = value;
    },
    close: async () => {
      await hub.stop();
      await server.stop();
      await store.close();
      await dir.remove();
    },
  };
}

/** A Node WebSocket viewer that records what it receives. */
export interface TestViewer {
  socket: WebSocket;
  texts: Array<Record<string, unknown>>;
  binaries: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

export function openViewer(url: string, firstMessage?: string): TestViewer {
  const socket = new WebSocket(url);
  const viewer: TestViewer = {
    socket,
    texts: [],
    binaries: [],
    closed: new Promise((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    ),
  };
  socket.on("error", () => {});
  socket.on("message", (data, isBinary) => {
    if (isBinary) viewer.binaries.push(Buffer.from(data as Buffer));
    else viewer.texts.push(JSON.parse(String(data)) as Record<string, unknown>);
  });
  if (firstMessage !== undefined) socket.once("open", () => socket.send(firstMessage));
  return viewer;
}

/** The top-level MP4 box types in `bytes`. */
export function boxTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32BE(at)) {
    types.push(bytes.toString("latin1", at + 4, at + 8));
    if (bytes.readUInt32BE(at) < 8) break;
  }
  return types;
}
