import { type AgentConfig, agentConfigSchema } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { withControlClient } from "../../../src/control/control-client.js";
import { controlSocketPath } from "../../../src/control/protocol.js";
import { openReadOnlyStore } from "../../../src/control/read-only-store.js";
import { type RunningAgent, startAgent } from "../../../src/main.js";
import { tempDir } from "../capture/helpers.js";

// A REAL agent (startAgent, cloud off) with a `browser` camera whose motion settings fire on any
// moving picture, plus the two local tokens a phone can get without a cloud: the first local pairing
// is the device's owner, the next ones are viewers.

export const BROWSER_CAMERA = "phone";
/** A camera that is not a browser one (an MJPEG URL nobody serves): WHIP answers 404 for it. */
export const MJPEG_CAMERA = "door";

export interface BrowserAgent {
  agent: RunningAgent;
  url: string;
  stateDir: string;
  /** A device-signed LAN token from a local pairing (the first one is the owner's). */
  pair(): Promise<{ token: string; role: string }>;
  /** Paths of the committed clips of `cameraId`. */
  clips(cameraId: string): Promise<string[]>;
  /** Polls until `cameraId` has a committed clip. */
  waitForClips(cameraId: string, timeoutMs: number): Promise<string[]>;
  cameraState(cameraId: string): { status: string; reason?: string | undefined } | undefined;
  stop(): Promise<void>;
}

export async function startBrowserAgent(
  opts: { camera?: Partial<AgentConfig["cameras"][number]> | Record<string, unknown> } = {},
): Promise<BrowserAgent> {
  const dir = await tempDir("ingest");
  const config = agentConfigSchema.parse({
    stateDir: dir.path,
    http: { host: "127.0.0.1", port: 0, mdns: false },
    cloud: { enabled: false },
    cameras: [
      {
        id: BROWSER_CAMERA,
        name: "Phone",
        source: { type: "browser", width: 320, height: 240, fps: 10 },
        motion: {
          sensitivity: 100,
          minDurationMs: 0,
          analysisFps: 10,
          analysisWidth: 160,
          eventGapSeconds: 1,
        },
        recording: { preRollSeconds: 1, postRollSeconds: 1, segmentSeconds: 1, maxSeconds: 5 },
        ...opts.camera,
      },
      { id: MJPEG_CAMERA, name: "Door", source: { type: "mjpeg", url: "http://127.0.0.1:9/none" } },
    ],
  });
  const agent = await startAgent({
    config,
    log: createLogger({ name: "test", level: "silent" }),
    version: "t",
  });
  const url = agent.lanUrl ?? "";
  const fx: BrowserAgent = {
    agent,
    url,
    stateDir: dir.path,
    async pair() {
      const session = await withControlClient(controlSocketPath(dir.path), (c) => c.call("pair.local", {}));
      const res = await fetch(`${url}/api/local/pair`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pin: session.pin }),
      });
      const body = (await res.json()) as { data: { token: string; role: string } };
      return body.data;
    },
    async clips(cameraId) {
      const store = openReadOnlyStore(dir.path);
      try {
        const rows = await store.db
          .selectFrom("recordings")
          .select("file_path")
          .where("camera_id", "=", cameraId)
          .execute();
        return rows.map((r) => r.file_path);
      } finally {
        await store.close();
      }
    },
    async waitForClips(cameraId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const clips = await fx.clips(cameraId);
        if (clips.length > 0) return clips;
        if (Date.now() > deadline) throw new Error(`no clip of ${cameraId} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    cameraState: (cameraId) => agent.control.cameras().find((c) => c.id === cameraId),
    async stop() {
      await agent.stop();
      await dir.remove();
    },
  };
  return fx;
}
