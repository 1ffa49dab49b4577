// The relay bench proper (run.ts re-executes itself into this with the "source" condition).
// Part 1: broker CPU per QoS 1 message, homecam vs Mosquitto, runs interleaved, medians.
// Part 2: broker memory per connected idle agent, homecam (RSS + heap) and Mosquitto (RSS).

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type BrokerUnderTest, DEFAULT_MOSQUITTO, startHomecamBroker, startMosquitto } from "./brokers.js";
import { createBenchDevices, telemetryPayload } from "./devices.js";
import { type IdleAgentsResult, measureIdleAgents } from "./idle-agents.js";
import {
  formatIdleAgents,
  formatThroughput,
  formatThroughputRun,
  summarise,
  type ThroughputSummary,
} from "./report.js";
import { measureThroughput, TELEMETRY_FILTER, type ThroughputResult } from "./throughput.js";

export interface RelayBenchOptions {
  /** Part 1: messages per measured run. */
  messages: number;
  /** Part 1: messages before each measured window. */
  warmup: number;
  /** Part 1: publisher connections (one simulated device each). */
  publishers: number;
  /** Part 1: QoS 1 publishes in flight per publisher. */
  window: number;
  /** Part 1: runs per broker (interleaved); medians are reported. */
  repeat: number;
  /** Part 2: idle agents to connect. */
  agents: number;
  /** Connections opened at once. */
  batch: number;
  mosquitto: string;
}

export interface RelayBenchResult {
  options: RelayBenchOptions;
  cpu: {
    homecam: ThroughputSummary;
    mosquitto: ThroughputSummary;
    ratio: number;
    runs: ThroughputResult[];
  };
  memory: { homecam: IdleAgentsResult; mosquitto: IdleAgentsResult };
  notes: string[];
}

/** Descriptors the bench may hold besides the agents' sockets (publishers, stdio, tsx, checks). */
const FD_HEADROOM = 200;

export function parseOptions(argv: string[]): RelayBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: "string", default: "50000" },
      warmup: { type: "string" },
      publishers: { type: "string", default: "50" },
      window: { type: "string", default: "4" },
      repeat: { type: "string", default: "3" },
      agents: { type: "string", default: "2000" },
      batch: { type: "string", default: "50" },
      mosquitto: { type: "string", default: DEFAULT_MOSQUITTO },
    },
  });
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const messages = int("messages", values.messages, 1);
  const publishers = int("publishers", values.publishers, 1);
  return {
    messages,
    // Enough for V8 to optimise the homecam broker's publish path; a tenth of short runs.
    warmup: int("warmup", values.warmup ?? String(Math.min(5000, Math.ceil(messages / 10))), 0),
    publishers: Math.min(publishers, messages),
    window: int("window", values.window, 1),
    repeat: int("repeat", values.repeat, 1),
    agents: int("agents", values.agents, 2),
    batch: int("batch", values.batch, 1),
    mosquitto: values.mosquitto,
  };
}

/** Run both parts, printing progress and the tables through `out`. */
export async function runRelayBench(
  options: RelayBenchOptions,
  out: (line: string) => void = console.log,
): Promise<RelayBenchResult> {
  const notes: string[] = [];
  const opts = { ...options };
  const limit = openFilesLimit();
  if (limit !== undefined && opts.agents + FD_HEADROOM > limit) {
    const lowered = Math.max(2, limit - FD_HEADROOM);
    notes.push(`open-files limit (ulimit -n) is ${limit}: agents lowered from ${opts.agents} to ${lowered}`);
    opts.agents = lowered;
  }
  const devices = await createBenchDevices(Math.max(opts.publishers, opts.agents));
  const payloadBytes = telemetryPayload().byteLength;

  out(
    `bench/relay part 1: broker CPU per message. ${opts.messages} QoS 1 device.telemetry messages ` +
      `(${payloadBytes} B payload) per run, ${opts.publishers} publishers x ${opts.window} in flight ` +
      `-> 1 subscriber of ${TELEMETRY_FILTER} (QoS 1); ${opts.warmup} warm-up messages before each ` +
      `measured window; ${opts.repeat} runs per broker, interleaved, each on a fresh broker process.`,
  );
  out(
    "  homecam: devices log in with their own key (fresh EdDSA JWT each), every publish passes the ACL " +
      "and the shared schema; the subscriber is the cloud's service identity. Mosquitto: anonymous " +
      "clients, no ACL, no payload check (persistence off, max_queued_messages 0).",
  );
  const runs: ThroughputResult[] = [];
  const publishers = devices.slice(0, opts.publishers);
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

  out(
    `bench/relay part 2: broker memory per idle agent. ${opts.agents} agents, ${opts.batch} connecting at ` +
      "a time: keepalive 60, clean: false, retained will on status, SUBSCRIBE req/+ (QoS 1), one retained " +
      "device.status (QoS 1). RSS from /proc before/at half/after; homecam after a full GC (--expose-gc) " +
      "in a broker run under tsx (its loader is in both readings).",
  );
  const agents = devices.slice(0, opts.agents);
  const memHomecam = await withBroker(
    () => startHomecamBroker({ exposeGc: true }),
    (b) => measureIdleAgents(b, agents, opts.batch),
  );
  out(`  homecam   ${memHomecam.kbPerAgent.toFixed(1)} KB/agent (${memHomecam.retainedStatuses} retained)`);
  const memMosquitto = await withBroker(
    () => startMosquitto(opts.mosquitto),
    (b) => measureIdleAgents(b, agents, opts.batch),
  );
  out(
    `  mosquitto ${memMosquitto.kbPerAgent.toFixed(1)} KB/agent (${memMosquitto.retainedStatuses} retained)`,
  );

  out("");
  out(`Broker CPU per message (median of ${opts.repeat}):`);
  out(formatThroughput(homecam, mosquitto));
  out("");
  out("Broker memory per connected idle agent:");
  out(formatIdleAgents(memHomecam, memMosquitto));
  for (const n of notes) out(`note: ${n}`);
  return {
    options: opts,
    cpu: { homecam, mosquitto, ratio: homecam.cpuUsPerMsg / mosquitto.cpuUsPerMsg, runs },
    memory: { homecam: memHomecam, mosquitto: memMosquitto },
    notes,
  };
}

export async function main(argv: string[]): Promise<number> {
  const result = await runRelayBench(parseOptions(argv));
  const { homecam, mosquitto, ratio } = result.cpu;
  console.log(
    JSON.stringify({
      cpuUsPerMsg: { homecam: homecam.cpuUsPerMsg, mosquitto: mosquitto.cpuUsPerMsg, ratio },
      msgsPerS: { homecam: homecam.msgsPerS, mosquitto: mosquitto.msgsPerS },
      kbPerAgent: {
        homecam: result.memory.homecam.kbPerAgent,
        mosquitto: result.memory.mosquitto.kbPerAgent,
      },
      heapKbPerAgent: result.memory.homecam.heapKbPerAgent,
      agents: result.options.agents,
      messages: result.options.messages,
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
