// Part 3's snapshot figure: the real agent (`homecam run`, agent/src/cli.ts under tsx) in its own
// process, with one synthetic test camera captured by ffmpeg, linked to the bench's cloud. A
// snapshot round trip is camera work too (the agent cuts a JPEG from its newest video segment with
// ffmpeg), so it is reported apart from the settings.get figures.

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfigInput } from "@homecam/shared";
import { CloudApi } from "../../agent/src/cloud/cloud-api.js";
import { loadOrCreateDeviceIdentity } from "../../agent/src/identity/device-identity.js";
import { requirePid, stopProcess, tail } from "./children.js";
import type { CloudProcess } from "./roundtrip-setup.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI_TS = fileURLToPath(new URL("../../agent/src/cli.ts", import.meta.url));

/** The agent process and the device it is, as the bench pairs it. */
export interface AgentProcess {
  deviceId: string;
  /** The device's REST client, with the agent's own key (for the pairing session). */
  api: CloudApi;
  pid: number;
  /** SIGTERM (the agent leaves "offline", stops ffmpeg), then remove its state directory. */
  stop(): Promise<void>;
}

/** Start `homecam run` against `cloud` with one 640×360 test camera; resolves once spawned. */
export async function startAgentProcess(cloud: CloudProcess): Promise<AgentProcess> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-agent-process-"));
  // The key is made here first and loaded by the agent at start: the bench and the agent are the
  // same device, so the bench can open the pairing session with the device's own token.
  const identity = await loadOrCreateDeviceIdentity(stateDir);
  const config: AgentConfigInput = {
    stateDir,
    http: { host: "127.0.0.1", port: 0 },
    cloud: { url: cloud.url, mqttUrl: cloud.mqttUrl },
    cameras: [
      {
        id: "yard",
        name: "Yard",
        source: { type: "test", width: 640, height: 360, fps: 10, scene: "moving-objects" },
        motion: { enabled: false },
        // One-second segments: the first snapshot is possible a second after capture starts.
        recording: { segmentSeconds: 1 },
      },
    ],
    // Warnings and errors only: the agent logs to stdout, which the bench passes through.
    log: { level: "warn" },
  };
  const file = join(stateDir, "agent.yaml");
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  const { HOMECAM_CONFIG: _ignored, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", CLI_TS, "run", "--config", file],
    { cwd: ROOT, env, stdio: ["ignore", "inherit", "pipe"] },
  );
  tail(child);
  return {
    deviceId: identity.deviceId,
    api: new CloudApi({ baseUrl: cloud.url, identity }),
    pid: requirePid(child),
    async stop() {
      await stopProcess(child);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
