import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Program, waitFor } from "../e2e/processes.js";
import { spawnAgent, writeAgentConfig } from "./agent-process.js";
import { BlinkScene } from "./blink-scene.js";
import { expectExactlyOnce, objectFiles } from "./checks.js";
import { type CloudWorld, startCloudWorld } from "./cloud-world.js";
import { readAgent, readCloud } from "./databases.js";
import { settled } from "./settle.js";
import { TcpProxy } from "./tcp-proxy.js";

// Issue 7, "Done when" 2: the broker is unreachable for (at least) 20 s while 20 events happen →
// once it is back every event arrives exactly once and in order, every clip is uploaded once.
//
// The cloud's aedes broker is embedded in the cloud process with no stop/start of its own, so the
// agent reaches it through a TCP proxy that the test cuts (every connection reset, new ones reset
// at once): from the agent's side exactly a broker that went away. The REST API stays up: the
// agent has no HTTP path for events (its outbox goes over MQTT only), so nothing can sneak through
// it; its uploader does use REST, and is answered "unknown recording" until the facts arrive.
//
// Two cameras watch a blinking-box MJPEG scene (blink-scene.ts): one event per 2 s each.

const MIN_OUTAGE_MS = 20_000;
const EVENTS_IN_OUTAGE = 20;

let world: CloudWorld;
let proxy: TcpProxy;
let scene: BlinkScene;
let agent: Program | undefined;
const measured: Record<string, string | number> = {};

beforeAll(async () => {
  world = await startCloudWorld("broker");
  proxy = await TcpProxy.start(world.cloud.mqtt.port);
  scene = await BlinkScene.start({ periodS: 2, visibleS: 0.5 });
}, 30_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`agent output:\n${agent?.logTail(40) ?? "(not started)"}`);
    console.error(`cloud warnings:\n${world?.logTail() ?? "(not started)"}`);
  });
});

afterAll(async () => {
  agent?.killGroup("SIGKILL");
  console.log(`broker outage figures: ${JSON.stringify(measured)}`);
  await scene?.close();
  await proxy?.close();
  await world?.close();
});

describe("broker outage while events happen", () => {
  it("delivers every event exactly once and in order afterwards, and uploads every clip once", async () => {
    const config = writeAgentConfig(join(world.dir, "agent.yaml"), {
      stateDir: world.agentStateDir,
      cloudUrl: world.cloud.url,
      mqttUrl: `mqtt://127.0.0.1:${proxy.port}`,
      cameras: [scene.camera("north"), scene.camera("south")],
    });
    agent = spawnAgent(config, world.dir, "agent");
    const cloudState = () => readCloud(world.cloudDbFile, world.deviceId);

    // Steady state first: events flowing to the cloud from both cameras.
    await waitFor(
      "events of both cameras in the cloud",
      () => new Set(cloudState()?.events.map((e) => e.camera_id)).size === 2,
      { timeoutMs: 40_000, intervalMs: 250 },
    );

    proxy.cut();
    const cutAt = Date.now();
    const knownAtCut = cloudState()!.events.length;
    const duringOutage = () =>
      readAgent(world.agentStateDir)!.events.filter((e) => e.started_at >= cutAt && e.ended_at !== null);
    await new Promise((r) => setTimeout(r, MIN_OUTAGE_MS));
    await waitFor(
      `${EVENTS_IN_OUTAGE} events ended during the outage`,
      () => {
        return duringOutage().length >= EVENTS_IN_OUTAGE;
      },
      { timeoutMs: 25_000, intervalMs: 250 },
    );
    // Nothing reached the cloud meanwhile: the outage was real.
    const knownBeforeRestore = cloudState()!.events.length;
    const outageEvents = duringOutage();
    proxy.restore();
    const restoredAt = Date.now();
    measured["outage (ms)"] = restoredAt - cutAt;
    measured["events ended during the outage"] = outageEvents.length;
    expect(knownBeforeRestore).toBeLessThanOrEqual(knownAtCut + 2); // at most events opened as the cut hit
    expect(cloudState()!.events.filter((e) => e.created_at >= cutAt && e.created_at < restoredAt)).toEqual(
      [],
    );

    // Every outage event arrives once the broker is back.
    await waitFor(
      "every outage event in the cloud",
      () => {
        const known = new Set(cloudState()!.events.map((e) => e.agent_event_id));
        return outageEvents.every((e) => known.has(e.id)) && Date.now();
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    ).then((at) => {
      measured["broker back → all outage events in the cloud (ms)"] = at - restoredAt;
    });

    // Stop the motion so the agent can settle, then compare both sides completely.
    await scene.close();
    const { agent: a, cloud: c } = await settled(
      world.agentStateDir,
      world.cloudDbFile,
      world.deviceId,
      90_000,
    );
    measured["events total"] = a.events.length;
    measured["recordings total"] = a.recordings.length;
    measured["broker connections accepted"] = proxy.accepted;
    expectExactlyOnce(a, c, { objects: objectFiles(world.objectsDir, ".mp4"), agentLogs: [agent.logFile] });
    // The outage events were learnt after the broker came back, in the order they happened.
    const outageIds = new Set(outageEvents.map((e) => e.id));
    for (const e of c.events.filter((x) => outageIds.has(x.agent_event_id))) {
      expect(e.created_at).toBeGreaterThanOrEqual(restoredAt);
    }
  }, 200_000);
});
