import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Program, waitFor } from "../e2e/processes.js";
import { type AgentYaml, spawnAgent, stopAgent, writeAgentConfig } from "./agent-process.js";
import { BlinkScene } from "./blink-scene.js";
import { expectExactlyOnce, objectFiles } from "./checks.js";
import { type CloudWorld, startCloudWorld } from "./cloud-world.js";
import { readAgent, readCloud } from "./databases.js";
import { settled } from "./settle.js";

// Issue 7, "Done when" 4: `kill -9` of the agent (its whole process group: node, ffmpeg) at random
// points while it uploads, 20 times → each clip ends as exactly one object and one cloud row with
// `uploadedAt`, and none is lost. A bandwidth cap (`cloud.upload.maxBytesPerSecond`) stretches
// each upload (~150 kB clips at 64 kB/s) over seconds, so the kills land before, during and after
// PUTs and completes: some rounds confirm a clip before their kill, most do not.
//
// First the camera records a backlog of clips (the cap keeps most of them queued); then the agent
// is restarted with the camera disabled and killed again and again mid-upload; the last start is
// left to finish.

const KILLS = 20;
const CAP_BYTES_PER_S = 64 * 1024;
/** While the backlog is recorded, almost nothing may drain. */
const BACKLOG_CAP_BYTES_PER_S = 1024;
const BACKLOG = 6;
/** A kill lands this long (uniformly random) after an upload was seen in progress. */
const MAX_KILL_DELAY_MS = 3000;

let world: CloudWorld;
let scene: BlinkScene;
const agents: Program[] = [];
const measured: Record<string, string | number> = {};

beforeAll(async () => {
  world = await startCloudWorld("kill9");
  // Sensor noise makes the clips tens of kB: long enough uploads under the cap.
  scene = await BlinkScene.start({ periodS: 2, visibleS: 0.5, noise: 8 });
}, 30_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`last agent output:\n${agents.at(-1)?.logTail(40) ?? "(not started)"}`);
    console.error(`cloud warnings:\n${world?.logTail() ?? "(not started)"}`);
    const states = readAgent(world.agentStateDir)?.recordings.map((r) => `${r.upload_state} ${r.size_bytes}`);
    console.error(`agent clips' upload states: ${JSON.stringify(states)}`);
  });
});

afterAll(async () => {
  for (const a of agents) if (a.running) a.killGroup("SIGKILL");
  console.log(`kill -9 while uploading figures: ${JSON.stringify(measured)}`);
  await scene?.close();
  await world?.close();
});

describe("kill -9 of the agent while it uploads", () => {
  it(`loses no clip and stores none twice over ${KILLS} kills`, async () => {
    const yaml = (cameraEnabled: boolean, cap = CAP_BYTES_PER_S): AgentYaml => ({
      stateDir: world.agentStateDir,
      cloudUrl: world.cloud.url,
      mqttUrl: `mqtt://127.0.0.1:${world.cloud.mqtt.port}`,
      maxBytesPerSecond: cap,
      cameras: [scene.camera("drive", cameraEnabled)],
    });
    const recordingConfig = writeAgentConfig(
      join(world.dir, "agent-recording.yaml"),
      yaml(true, BACKLOG_CAP_BYTES_PER_S),
    );
    const uploadOnlyConfig = writeAgentConfig(join(world.dir, "agent-upload-only.yaml"), yaml(false));
    // The last start has no cap: how fast the backlog drains is not what this test is about.
    const drainConfig = writeAgentConfig(join(world.dir, "agent-drain.yaml"), yaml(false, 0));
    const uploading = () =>
      readAgent(world.agentStateDir)?.recordings.some((r) => r.upload_state === "uploading") ?? false;
    const uploadedCount = () =>
      readAgent(world.agentStateDir)?.recordings.filter((r) => r.upload_state === "uploaded").length ?? 0;
    let roundsThatConfirmed = 0;

    for (let round = 1; round <= KILLS; round++) {
      const agent = spawnAgent(round === 1 ? recordingConfig : uploadOnlyConfig, world.dir, `agent-${round}`);
      agents.push(agent);
      if (round === 1) {
        await waitFor(
          `${BACKLOG} clips known to the cloud`,
          () => (readCloud(world.cloudDbFile, world.deviceId)?.recordings.length ?? 0) >= BACKLOG,
          { timeoutMs: 60_000, intervalMs: 250 },
        );
      }
      await waitFor(`an upload in progress (round ${round})`, uploading, {
        timeoutMs: 20_000,
        intervalMs: 25,
      });
      const before = uploadedCount();
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * MAX_KILL_DELAY_MS)));
      agent.killGroup("SIGKILL");
      expect((await agent.exited).signal).toBe("SIGKILL");
      if (uploadedCount() > before) roundsThatConfirmed++;
    }
    measured["kills"] = KILLS;
    measured["rounds that confirmed a clip before their kill"] = roundsThatConfirmed;
    const beforeLast = readAgent(world.agentStateDir)!;
    measured["clips / uploaded before the last start"] =
      `${beforeLast.recordings.length} / ${beforeLast.recordings.filter((r) => r.upload_state === "uploaded").length}`;

    const last = spawnAgent(drainConfig, world.dir, "agent-last");
    agents.push(last);
    const started = Date.now();
    const { agent: a, cloud: c } = await settled(
      world.agentStateDir,
      world.cloudDbFile,
      world.deviceId,
      90_000,
    );
    measured["last start → all uploaded (ms)"] = Date.now() - started;
    await stopAgent(last);
    measured["clips total"] = a.recordings.length;
    measured["clip sizes (bytes)"] = a.recordings.map((r) => r.size_bytes).join(" ");
    expect(a.recordings.length).toBeGreaterThanOrEqual(BACKLOG);
    expectExactlyOnce(a, c, {
      objects: objectFiles(world.objectsDir, ".mp4"),
      agentLogs: agents.map((p) => p.logFile),
    });
  }, 240_000);
});
