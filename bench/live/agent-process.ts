// The agent under test: `homecam run` (agent/src/cli.ts under tsx) in its own process, cloud off, the
// LAN server on 127.0.0.1 port 0, one synthetic test camera that burns the wall clock into its
// picture. A viewer token comes the way a LAN viewer without a cloud gets one: a PIN from the
// control socket (`homecam pair --local`) claimed at `POST /api/local/pair`.

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfigInput } from "@homecam/shared";
import { withControlClient } from "../../agent/src/control/control-client.js";
import { controlSocketPath } from "../../agent/src/control/protocol.js";
import { requirePid, stopProcess, tail } from "../relay/children.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI_TS = fileURLToPath(new URL("../../agent/src/cli.ts", import.meta.url));
export const BENCH_CAMERA = "bench";
/** Cold start compiles the agent's sources through tsx: give a slow machine time. */
const START_TIMEOUT_MS = 60_000;

export interface VideoShape {
  width: number;
  height: number;
  fps: number;
}

export interface AgentUnderTest {
  pid: number;
  /** `http://127.0.0.1:<port>` of the LAN server. */
  url: string;
  /** A device-signed viewer token (owner) for the LAN routes. */
  token: string;
  stop(): Promise<void>;
}

export async function startAgentUnderTest(video: VideoShape): Promise<AgentUnderTest> {
  const stateDir = await mkdtemp(join(tmpdir(), "homecam-bench-live-"));
  const config: AgentConfigInput = {
    stateDir,
    http: { host: "127.0.0.1", port: 0, mdns: false },
    cloud: { enabled: false },
    cameras: [
      {
        id: BENCH_CAMERA,
        name: "Bench",
        source: { type: "test", ...video, scene: "moving-objects", burnClock: true },
        // Capture runs as in the field (segments into the ring buffer); no events, so no clip
        // writing appears in some CPU windows and not in others.
        motion: { enabled: false },
        recording: { enabled: false },
      },
    ],
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
  const stderr = tail(child);
  const stop = async () => {
    await stopProcess(child);
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    const { url, token } = await pairLocally(stateDir, () => child.exitCode !== null, stderr);
    return { pid: requirePid(child), url, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Wait for the control socket, open a local pairing session and claim it over HTTP. */
async function pairLocally(
  stateDir: string,
  exited: () => boolean,
  stderr: () => string,
): Promise<{ url: string; token: string }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited()) throw new Error(`the agent exited at start: ${stderr()}`);
    try {
      const session = await withControlClient(controlSocketPath(stateDir), (c) => c.call("pair.local", {}));
      const url = new URL(session.url).origin;
      const res = await fetch(`${url}/api/local/pair`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pin: session.pin, name: "bench" }),
      });
      const body = (await res.json()) as { data?: { token?: string } };
      if (res.status !== 201 || !body.data?.token) throw new Error(`local pairing answered ${res.status}`);
      return { url, token: body.data.token };
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the agent did not pair in time: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
