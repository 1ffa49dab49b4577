// Command-line options of the relay bench (run.ts → bench.ts).

import { parseArgs } from "node:util";
import { DEFAULT_MOSQUITTO } from "./brokers.js";

/** The bench's parts, for `--only`. */
export const PARTS = ["cpu", "memory", "roundtrip"] as const;
export type RelayBenchPart = (typeof PARTS)[number];

export interface RelayBenchOptions {
  /** Parts to run, in order (all by default; `--only roundtrip` or `--only cpu,memory` picks). */
  parts: RelayBenchPart[];
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
  /** Part 3: measured commands per run. */
  commands: number;
  /** Part 3: unmeasured commands before each run. */
  commandWarmup: number;
  /** Part 3: commands in flight in the concurrent run. */
  concurrency: number;
  /** Part 3: sequential snapshots from the real agent process (0: none). */
  snapshots: number;
}

export function parseOptions(argv: string[]): RelayBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      messages: { type: "string", default: "50000" },
      warmup: { type: "string" },
      publishers: { type: "string", default: "50" },
      window: { type: "string", default: "4" },
      repeat: { type: "string", default: "3" },
      agents: { type: "string", default: "2000" },
      batch: { type: "string", default: "50" },
      mosquitto: { type: "string", default: DEFAULT_MOSQUITTO },
      commands: { type: "string", default: "2000" },
      "command-warmup": { type: "string", default: "100" },
      concurrency: { type: "string", default: "16" },
      snapshots: { type: "string", default: "200" },
    },
  });
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const only = values.only?.split(",").map((p) => p.trim());
  if (only?.some((p) => !(PARTS as readonly string[]).includes(p))) {
    throw new Error(`--only takes a comma-separated list of ${PARTS.join(", ")}`);
  }
  const messages = int("messages", values.messages, 1);
  const publishers = int("publishers", values.publishers, 1);
  return {
    // In the bench's order, whatever the order given.
    parts: PARTS.filter((p) => only === undefined || only.includes(p)),
    messages,
    // Enough for V8 to optimise the homecam broker's publish path; a tenth of short runs.
    warmup: int("warmup", values.warmup ?? String(Math.min(5000, Math.ceil(messages / 10))), 0),
    publishers: Math.min(publishers, messages),
    window: int("window", values.window, 1),
    repeat: int("repeat", values.repeat, 1),
    agents: int("agents", values.agents, 2),
    batch: int("batch", values.batch, 1),
    mosquitto: values.mosquitto,
    commands: int("commands", values.commands, 1),
    commandWarmup: int("command-warmup", values["command-warmup"], 0),
    concurrency: int("concurrency", values.concurrency, 2),
    snapshots: int("snapshots", values.snapshots, 0),
  };
}
