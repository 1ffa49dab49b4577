// The relay bench proper (run.ts re-executes itself into this with the "source" condition).
// Part 1: broker CPU per QoS 1 message, homecam vs Mosquitto, runs interleaved, medians.
// Part 2: broker memory per connected idle agent, homecam (RSS + heap) and Mosquitto (RSS).
// Part 3: command round trip REST → cloud → MQTT → agent → back, sequential and concurrent.

import { readFileSync } from "node:fs";
import { type BrokerUnderTest, startHomecamBroker, startMosquitto } from "./brokers.js";
import { type BenchDevice, createBenchDevices, telemetryPayload } from "./devices.js";
import { type IdleAgentsResult, measureIdleAgents } from "./idle-agents.js";
import { parseOptions, type RelayBenchOptions } from "./options.js";
import {
  formatIdleAgents,
  formatRoundTrip,
  formatThroughput,
  formatThroughputRun,
  summarise,
  type ThroughputSummary,
} from "./report.js";
import { measureRoundTrip, type RoundTripResult } from "./roundtrip.js";
import { measureThroughput, TELEMETRY_FILTER, type ThroughputResult } from "./throughput.js";

export { parseOptions, type RelayBenchOptions } from "./options.js";

/** What the parts that ran measured (a part not asked for with `--only` is absent). */
export interface RelayBenchResult {
  options: RelayBenchOptions;
  cpu?: {
    homecam: ThroughputSummary;
    mosquitto: ThroughputSummary;
    ratio: number;
    runs: ThroughputResult[];
  };
  memory?: { homecam: IdleAgentsResult; mosquitto: IdleAgentsResult };
  roundtrip?: RoundTripResult;
  notes: string[];
}

/** Descriptors the bench may hold besides the agents' sockets (publishers, stdio, tsx, checks). */
const FD_HEADROOM = 200;

/** Run the parts in `options.parts`, printing progress and the final tables through `out`. */
export async function runRelayBench(
  options: RelayBenchOptions,
  out: (line: string) => void = console.log,
): Promise<RelayBenchResult> {
  const notes: string[] = [];
  const opts = { ...options };
  const result: RelayBenchResult = { options: opts, notes };
  const wants = (part: RelayBenchOptions["parts"][number]) => opts.parts.includes(part);
  const limit = openFilesLimit();
  if (wants("memory") && limit !== undefined && opts.agents + FD_HEADROOM > limit) {
    const lowered = Math.max(2, limit - FD_HEADROOM);
    notes.push(`open-files limit (ulimit -n) is ${limit}: agents lowered from ${opts.agents} to ${lowered}`);
    opts.agents = lowered;
  }
  const devices = await createBenchDevices(
    Math.max(wants("cpu") ? opts.publishers : 0, wants("memory") ? opts.agents : 0),
  );
  if (wants("cpu")) result.cpu = await runCpuPart(opts, devices.slice(0, opts.publishers), out);
  if (wants("memory")) result.memory = await runMemoryPart(opts, devices.slice(0, opts.agents), out);
  if (wants("roundtrip")) result.roundtrip = await runRoundTripPart(opts, out);

  if (result.cpu) {
    out("");
    out(`Broker CPU per message (median of ${opts.repeat}):`);
    out(formatThroughput(result.cpu.homecam, result.cpu.mosquitto));
  }
  if (result.memory) {
    out("");
    out("Broker memory per connected idle agent:");
    out(formatIdleAgents(result.memory.homecam, result.memory.mosquitto));
  }
  if (result.roundtrip) {
    out("");
    out("Command round trip, REST -> cloud -> MQTT -> agent -> back:");
    out(formatRoundTrip(result.roundtrip));
  }
  for (const n of notes) out(`note: ${n}`);
  return result;
}

async function runCpuPart(
  opts: RelayBenchOptions,
  publishers: BenchDevice[],
  out: (line: string) => void,
): Promise<NonNullable<RelayBenchResult["cpu"]>> {
  out(
    `bench/relay part 1: broker CPU per message. ${opts.messages} QoS 1 device.telemetry messages ` +
      `(${telemetryPayload().byteLength} B payload) per run, ${opts.publishers} publishers x ${opts.window} ` +
      `in flight -> 1 subscriber of ${TELEMETRY_FILTER} (QoS 1); ${opts.warmup} warm-up messages before ` +
      `each measured window; ${opts.repeat} runs per broker, interleaved, each on a fresh broker process.`,
  );
  out(
    "  homecam: devices log in with their own key (fresh EdDSA JWT each), every publish passes the ACL " +
      "and the shared schema; the subscriber is the cloud's service identity. Mosquitto: anonymous " +
      "clients, no ACL, no payload check (persistence off, max_queued_messages 0).",
  );
  const runs: ThroughputResult[] = [];
  const tp = { messages: opts.messages, warmup: opts.warmup, window: opts.window, batch: opts.batch };
  for (let run = 1; run <= opts.repeat; run++) {
    for (const start of [() => startHomecamBroker(), () => startMosquitto(opts.mosquitto)]) {
      const r = await withBroker(start, (broker) => measureThroughput(broker, publishers, tp));
      runs.push(r);
      out(formatThroughputRun(r, run));
    }
  }
  const homecam = summarise(runs.filter((r) => r.broker === "homecam"));
  const mosquitto = summarise(runs.filter((r) => r.broker === "mosquitto"));
  return { homecam, mosquitto, ratio: homecam.cpuUsPerMsg / mosquitto.cpuUsPerMsg, runs };
}

async function runMemoryPart(
  opts: RelayBenchOptions,
  agents: BenchDevice[],
  out: (line: string) => void,
): Promise<NonNullable<RelayBenchResult["memory"]>> {
  out(
    `bench/relay part 2: broker memory per idle agent. ${opts.agents} agents, ${opts.batch} connecting at ` +
      "a time: keepalive 60, clean: false, retained will on status, SUBSCRIBE req/+ (QoS 1), one retained " +
      "device.status (QoS 1). RSS from /proc before/at half/after; homecam after a full GC (--expose-gc) " +
      "in a broker run under tsx (its loader is in both readings).",
  );
  const homecam = await withBroker(
    () => startHomecamBroker({ exposeGc: true }),
    (b) => measureIdleAgents(b, agents, opts.batch),
  );
  out(`  homecam   ${homecam.kbPerAgent.toFixed(1)} KB/agent (${homecam.retainedStatuses} retained)`);
  const mosquitto = await withBroker(
    () => startMosquitto(opts.mosquitto),
    (b) => measureIdleAgents(b, agents, opts.batch),
  );
  out(`  mosquitto ${mosquitto.kbPerAgent.toFixed(1)} KB/agent (${mosquitto.retainedStatuses} retained)`);
  return { homecam, mosquitto };
}

function runRoundTripPart(opts: RelayBenchOptions, out: (line: string) => void): Promise<RoundTripResult> {
  out(
    `bench/relay part 3: command round trip. The real cloud (startCloud: SQLite, HTTP and MQTT on ` +
      "loopback) in its own process; the agent's MqttLink + CommandHandler in this process over in-memory " +
      "cameras; a user paired through the REST API. settings.get via POST /api/cameras/:id/commands " +
      `(fetch, keep-alive, fresh requestId each): ${opts.commandWarmup} warm-up commands, then ` +
      `${opts.commands} sequential; again with ${opts.concurrency} in flight.` +
      (opts.snapshots > 0
        ? ` Then ${opts.snapshots} sequential GET /api/cameras/:id/snapshot from the real agent process ` +
          "(homecam run, one 640x360 test camera captured by ffmpeg)."
        : ""),
  );
  const { commands, concurrency, snapshots } = opts;
  return measureRoundTrip({ commands, warmup: opts.commandWarmup, concurrency, snapshots }, out);
}

export async function main(argv: string[]): Promise<number> {
  const { cpu, memory, roundtrip, options } = await runRelayBench(parseOptions(argv));
  console.log(
    JSON.stringify({
      ...(cpu && {
        cpuUsPerMsg: {
          homecam: cpu.homecam.cpuUsPerMsg,
          mosquitto: cpu.mosquitto.cpuUsPerMsg,
          ratio: cpu.ratio,
        },
        msgsPerS: { homecam: cpu.homecam.msgsPerS, mosquitto: cpu.mosquitto.msgsPerS },
        messages: options.messages,
      }),
      ...(memory && {
        kbPerAgent: { homecam: memory.homecam.kbPerAgent, mosquitto: memory.mosquitto.kbPerAgent },
        heapKbPerAgent: memory.homecam.heapKbPerAgent,
        agents: options.agents,
      }),
      ...(roundtrip && {
        roundTripMs: roundtrip.runs.map((r) => ({
          command: r.command,
          concurrency: r.concurrency,
          p50: r.p50Ms,
          p95: r.p95Ms,
          p99: r.p99Ms,
          max: r.maxMs,
          reqPerS: r.reqPerS,
        })),
        commands: options.commands,
        snapshots: options.snapshots,
      }),
    }),
  );
  return 0;
}

/** Start a broker, run `body` against it, always stop it (idempotent, so `body` may stop it too). */
async function withBroker<T>(
  start: () => Promise<BrokerUnderTest>,
  body: (broker: BrokerUnderTest) => Promise<T>,
): Promise<T> {
  const broker = await start();
  try {
    return await body(broker);
  } finally {
    await broker.stop();
  }
}

/** Soft "Max open files" of this process (inherited by the brokers), or undefined if unknown. */
function openFilesLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    const n = Number(line);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
