// Part 3: command round trip through the whole product. A REST client (fetch, keep-alive) posts
// `settings.get` to `POST /api/cameras/:id/commands` on the real cloud (its own process); the cloud
// authenticates the user, checks the grant, publishes `command` on `hc/v1/dev/{id}/req/{requestId}`
// through its embedded broker; the agent's real MqttLink + CommandHandler (this process) answers
// from the bench camera's memory on `res/{requestId}`; the relay resolves the HTTP request. The
// time is from just before fetch() to the parsed answer. Each command has a fresh request id (no
// cached answers on either side); every answer must be ok and carry the camera's settings.
// Optionally, `GET /api/cameras/:id/snapshot` from the real agent process (agent-process.ts).

import { performance } from "node:perf_hooks";
import { newMessageId } from "@homecam/shared";
import { cpuSeconds } from "../motion/proc.js";
import { type AgentProcess, startAgentProcess } from "./agent-process.js";
import { benchLogger } from "./log-sink.js";
import { type LatencySummary, summariseLatencies } from "./report.js";
import {
  type CloudProcess,
  pairDevice,
  registerUser,
  startBenchAgent,
  startCloudProcess,
} from "./roundtrip-setup.js";

export interface RoundTripOptions {
  /** Measured settings.get commands per run. */
  commands: number;
  /** Unmeasured commands before each run (same parallelism). */
  warmup: number;
  /** Commands in flight in the concurrent run. */
  concurrency: number;
  /** Measured sequential snapshots from the real agent process; 0 skips it. */
  snapshots: number;
}

/** One measured run of one command at a fixed number in flight. */
export interface RoundTripRun extends LatencySummary {
  command: "settings.get" | "snapshot";
  concurrency: number;
  /** Commands answered ok with the expected content (a run fails on the first that is not). */
  answered: number;
  wallS: number;
  reqPerS: number;
  /** CPU of the cloud process (HTTP, auth, database, relay, broker) per command, ms. */
  cloudCpuMsPerCmd: number;
  /** CPU of the agent (link, handler; for snapshots without its ffmpeg) and the HTTP client, ms. */
  agentCpuMsPerCmd: number;
}

export interface RoundTripResult {
  runs: RoundTripRun[];
  warmup: number;
}

/** One command: its round trip in ms; throws unless it was answered ok with the expected content. */
type SendCommand = () => Promise<number>;

/** Start the cloud and the agent, pair, then measure a sequential and a concurrent run (and snapshots). */
export async function measureRoundTrip(
  opts: RoundTripOptions,
  out: (line: string) => void,
): Promise<RoundTripResult> {
  const runs: RoundTripRun[] = [];
  const report = (run: RoundTripRun) => {
    runs.push(run);
    out(
      `  ${run.command} ${run.concurrency} in flight: p50 ${run.p50Ms.toFixed(2)} ms  ` +
        `p99 ${run.p99Ms.toFixed(2)} ms  ${Math.round(run.reqPerS)} req/s  ` +
        `(${run.answered} answered ok)`,
    );
  };
  const cloud = await startCloudProcess();
  try {
    const authorization = await registerUser(cloud);
    const agent = await startBenchAgent(cloud, benchLogger("bench-agent"));
    try {
      const cameraId = await pairDevice(cloud, authorization, agent);
      const localId = agent.link.registeredCameras.find((c) => c.id === cameraId)?.localId;
      if (!localId) throw new Error(`camera ${cameraId} is not one the agent registered`);
      const send = settingsSender(cloud.url, authorization, cameraId, localId);
      for (const concurrency of [1, opts.concurrency]) {
        await runCommands(send, opts.warmup, concurrency);
        report(await measureRun("settings.get", send, opts.commands, concurrency, cloud.pid));
      }
    } finally {
      await agent.stop();
    }
    if (opts.snapshots > 0) report(await measureSnapshots(cloud, authorization, opts));
    return { runs, warmup: opts.warmup };
  } finally {
    await cloud.stop();
  }
}

async function measureSnapshots(
  cloud: CloudProcess,
  authorization: string,
  opts: RoundTripOptions,
): Promise<RoundTripRun> {
  const agent: AgentProcess = await startAgentProcess(cloud);
  try {
    // ffmpeg has to start and the camera to capture before it is online: a longer wait. Online is
    // not yet a snapshot (that needs a first complete segment): the first tries may fail (503).
    const cameraId = await pairDevice(cloud, authorization, agent, { cameraOnline: true, timeoutMs: 60_000 });
    const send = snapshotSender(cloud.url, authorization, cameraId);
    await firstSuccess(send, 30_000);
    await runCommands(send, Math.min(opts.warmup, 10), 1);
    return await measureRun("snapshot", send, opts.snapshots, 1, cloud.pid, agent.pid);
  } finally {
    await agent.stop();
  }
}

function settingsSender(base: string, authorization: string, cameraId: string, localId: string): SendCommand {
  const url = `${base}/api/cameras/${encodeURIComponent(cameraId)}/commands`;
  const headers = { authorization, "content-type": "application/json" };
  return async () => {
    const requestId = newMessageId();
    const body = JSON.stringify({ type: "settings.get", requestId });
    const started = performance.now();
    const res = await fetch(url, { method: "POST", headers, body });
    const envelope = (await res.json()) as {
      ok?: boolean;
      data?: { requestId?: string; result?: { id?: string } };
      error?: { code?: string; message?: string };
    };
    const ms = performance.now() - started;
    if (!res.ok || envelope.ok !== true) {
      const { code, message } = envelope.error ?? {};
      throw new Error(`command ${requestId}: HTTP ${res.status} ${code ?? "(no code)"} ${message ?? ""}`);
    }
    if (envelope.data?.requestId !== requestId || envelope.data.result?.id !== localId) {
      throw new Error(
        `command ${requestId}: unexpected answer ${JSON.stringify(envelope.data).slice(0, 200)}`,
      );
    }
    return ms;
  };
}

/** `GET /api/cameras/:id/snapshot`: the JPEG bytes themselves. */
function snapshotSender(base: string, authorization: string, cameraId: string): SendCommand {
  const url = `${base}/api/cameras/${encodeURIComponent(cameraId)}/snapshot`;
  return async () => {
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization } });
    const bytes = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - started;
    const jpeg = res.headers.get("content-type") === "image/jpeg" && bytes.subarray(0, 3).equals(JPEG_MAGIC);
    if (res.status !== 200 || !jpeg) {
      throw new Error(`snapshot: HTTP ${res.status} ${bytes.subarray(0, 200).toString()}`);
    }
    return ms;
  };
}

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

/** Retry `send` until it succeeds once (a camera that has not captured yet answers an error). */
async function firstSuccess(send: SendCommand, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await send();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Send `count` commands keeping `concurrency` in flight; every round trip in completion order. */
async function runCommands(send: SendCommand, count: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      latencies.push(await send());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}

/**
 * Measure one run. The agent's CPU is this process's (in-process link, and the HTTP client), plus
 * `agentPid`'s when the agent is a process of its own (its ffmpeg children are not counted).
 */
async function measureRun(
  command: RoundTripRun["command"],
  send: SendCommand,
  commands: number,
  concurrency: number,
  cloudPid: number,
  agentPid?: number,
): Promise<RoundTripRun> {
  const otherCpu = () => (agentPid === undefined ? 0 : (cpuSeconds(agentPid) ?? Number.NaN));
  const cloudBefore = cpuSeconds(cloudPid);
  const agentBefore = otherCpu();
  const benchBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await runCommands(send, commands, concurrency);
  const wallS = (performance.now() - started) / 1000;
  const cloudAfter = cpuSeconds(cloudPid);
  const agentS = otherCpu() - agentBefore;
  const bench = process.cpuUsage(benchBefore);
  if (cloudBefore === undefined || cloudAfter === undefined) throw new Error("the cloud process is gone");
  return {
    ...summariseLatencies(latencies),
    command,
    concurrency,
    answered: latencies.length,
    wallS,
    reqPerS: commands / wallS,
    cloudCpuMsPerCmd: ((cloudAfter - cloudBefore) * 1000) / commands,
    agentCpuMsPerCmd: ((bench.user + bench.system) / 1000 + agentS * 1000) / commands,
  };
}
