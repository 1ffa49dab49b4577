import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Program, waitFor } from "../e2e/processes.js";
import { spawnAgent, writeAgentConfig } from "./agent-process.js";
import { BlinkScene } from "./blink-scene.js";
import { expectExactlyOnce } from "./checks.js";
import { type CloudWorld, startCloudWorld } from "./cloud-world.js";
import { readAgent, readCloud } from "./databases.js";
import { type S3Mode, S3Outage } from "./s3-proxy.js";
import { settled } from "./settle.js";

// Issue 7, "Done when" 3: S3 unreachable, then answering 500, for a while → afterwards every clip
// is uploaded exactly once, and the agent kept recording all along. The cloud's storage is the s3
// driver pointed at a switchable proxy in front of a real s3rver (s3-proxy.ts): `down` resets
// every connection, `error500` answers S3's InternalError to everything, `pass` forwards.

const PHASE_MS = 12_000;

let s3Dir: string;
let s3: S3Outage;
let world: CloudWorld;
let scene: BlinkScene;
let agent: Program | undefined;
const measured: Record<string, string | number> = {};

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), "hc-evidence-s3rver-"));
  s3 = await S3Outage.start(s3Dir);
  world = await startCloudWorld("s3", { storage: s3.storageConfig() });
  scene = await BlinkScene.start({ periodS: 2.5, visibleS: 0.5 });
}, 30_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`agent output:\n${agent?.logTail(40) ?? "(not started)"}`);
    console.error(`cloud warnings:\n${world?.logTail() ?? "(not started)"}`);
  });
});

afterAll(async () => {
  agent?.killGroup("SIGKILL");
  console.log(`S3 outage figures: ${JSON.stringify(measured)}`);
  await scene?.close();
  await world?.close();
  await s3?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
});

describe("S3 unreachable, then failing", () => {
  it("keeps recording through both phases and uploads every clip exactly once afterwards", async () => {
    const config = writeAgentConfig(join(world.dir, "agent.yaml"), {
      stateDir: world.agentStateDir,
      cloudUrl: world.cloud.url,
      mqttUrl: `mqtt://127.0.0.1:${world.cloud.mqtt.port}`,
      cameras: [scene.camera("porch")],
    });
    agent = spawnAgent(config, world.dir, "agent");
    const cloudUploads = () =>
      (readCloud(world.cloudDbFile, world.deviceId)?.recordings ?? []).flatMap((r) =>
        r.uploaded_at === null ? [] : [r.uploaded_at],
      );
    const agentRecordings = () => readAgent(world.agentStateDir)?.recordings ?? [];

    // A clip through the whole path first: s3 works end to end before it breaks.
    await waitFor("a first clip uploaded to s3", () => cloudUploads().length > 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });

    for (const mode of ["down", "error500"] as S3Mode[]) {
      s3.setMode(mode);
      const from = Date.now();
      const before = agentRecordings().length;
      await new Promise((r) => setTimeout(r, PHASE_MS));
      const made = agentRecordings().length - before;
      measured[`${mode}: clips recorded meanwhile`] = made;
      measured[`${mode}: requests refused`] = s3.seen[mode];
      // The agent kept recording...
      expect(made).toBeGreaterThanOrEqual(2);
      // ...and nothing was confirmed while S3 could not have stored it (the first second is
      // left out: a complete already past S3 when the mode switched may still land).
      expect(cloudUploads().filter((t) => t > from + 1000)).toEqual([]);
    }
    expect(s3.seen.down).toBeGreaterThan(0);
    expect(s3.seen.error500).toBeGreaterThan(0);

    s3.setMode("pass");
    const backAt = Date.now();
    await scene.close();
    const { agent: a, cloud: c } = await settled(
      world.agentStateDir,
      world.cloudDbFile,
      world.deviceId,
      150_000,
    );
    measured["S3 back → everything uploaded (ms)"] = Date.now() - backAt;
    measured["clips total"] = a.recordings.length;
    const keys = await s3.keys();
    measured["objects in the bucket (clips + thumbnails)"] = keys.length;
    expectExactlyOnce(a, c, { objects: keys.filter((k) => k.endsWith(".mp4")), agentLogs: [agent.logFile] });
  }, 240_000);
});
