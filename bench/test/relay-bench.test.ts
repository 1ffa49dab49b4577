// Smoke test of bench/relay: its pure parts, one tiny run of parts 1–2 against both real brokers
// (the cloud's broker in its child process, Debian's Mosquitto) with real mqtt clients and real
// device keys, and one tiny run of part 3 through the real cloud (its own process) and the agent's
// real cloud link. No timing assertions: the figures must be finite and positive, and every
// message, every agent's retained status and every command's answer must have arrived. The real
// numbers come from `npx tsx bench/relay/run.ts` on a quiet machine.

import { describe, expect, it } from "vitest";
import { parseOptions, runRelayBench } from "../relay/bench.js";
import { mosquittoConfig } from "../relay/brokers.js";
import { telemetryPayload } from "../relay/devices.js";
import { median, percentile, summariseLatencies } from "../relay/report.js";

const finitePositive = (v: number | undefined) => {
  expect(Number.isFinite(v)).toBe(true);
  expect(v).toBeGreaterThan(0);
};

describe("bench/relay pure parts", () => {
  it("defaults to the issue's load and scales the warm-up with short runs", () => {
    const d = parseOptions([]);
    expect(d).toMatchObject({ messages: 50_000, warmup: 5000, publishers: 50, repeat: 3, agents: 2000 });
    expect(parseOptions(["--messages", "500", "--agents", "50"])).toMatchObject({
      messages: 500,
      warmup: 50,
      agents: 50,
    });
    expect(() => parseOptions(["--messages", "0"])).toThrow(/--messages/);
    expect(() => parseOptions(["--agents", "1.5"])).toThrow(/--agents/);
  });

  it("runs every part unless --only picks some, always in the bench's order", () => {
    expect(parseOptions([])).toMatchObject({
      parts: ["cpu", "memory", "roundtrip"],
      commands: 2000,
      commandWarmup: 100,
      concurrency: 16,
      snapshots: 200,
    });
    expect(parseOptions(["--only", "roundtrip"]).parts).toEqual(["roundtrip"]);
    expect(parseOptions(["--only", "roundtrip,cpu"]).parts).toEqual(["cpu", "roundtrip"]);
    expect(() => parseOptions(["--only", "latency"])).toThrow(/--only/);
    expect(() => parseOptions(["--concurrency", "1"])).toThrow(/--concurrency/);
  });

  it("takes nearest-rank percentiles", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(summariseLatencies([5, 1, 4, 2, 3])).toEqual({ p50Ms: 3, p95Ms: 5, p99Ms: 5, maxMs: 5 });
  });

  it("takes medians of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("configures Mosquitto on loopback, anonymous, without persistence or a queue cap", () => {
    const conf = mosquittoConfig(40_001).split("\n");
    expect(conf).toEqual(
      expect.arrayContaining([
        "listener 40001 127.0.0.1",
        "allow_anonymous true",
        "persistence false",
        "max_queued_messages 0",
      ]),
    );
  });

  it("sends a ~400-byte valid telemetry payload", () => {
    const size = telemetryPayload().byteLength;
    expect(size).toBeGreaterThan(350);
    expect(size).toBeLessThan(450);
  });
});

describe("bench/relay on a tiny load", () => {
  it("measures CPU per message and memory per agent on both brokers", async () => {
    const lines: string[] = [];
    // 5,000 messages: Mosquitto's CPU for fewer can stay under /proc's 10 ms resolution.
    const opts = parseOptions([
      "--only",
      "cpu,memory",
      "--messages",
      "5000",
      "--agents",
      "50",
      "--repeat",
      "1",
    ]);
    const r = await runRelayBench(opts, (line) => lines.push(line));
    if (!r.cpu || !r.memory) throw new Error("parts 1 and 2 did not report");
    expect(r.roundtrip).toBeUndefined();

    expect(r.cpu.runs.map((run) => run.broker)).toEqual(["homecam", "mosquitto"]);
    for (const run of r.cpu.runs) {
      expect(run.received).toBe(5000);
      expect(run.publishers).toBe(50);
      finitePositive(run.brokerCpuS);
      finitePositive(run.cpuUsPerMsg);
      finitePositive(run.wallS);
      finitePositive(run.msgsPerS);
    }
    finitePositive(r.cpu.homecam.cpuUsPerMsg);
    finitePositive(r.cpu.mosquitto.cpuUsPerMsg);
    finitePositive(r.cpu.ratio);

    for (const m of [r.memory.homecam, r.memory.mosquitto]) {
      expect(m.agents).toBe(50);
      expect(m.retainedStatuses).toBe(50);
      finitePositive(m.rssBeforeKb);
      finitePositive(m.rssAfterKb);
      expect(Number.isFinite(m.kbPerAgent)).toBe(true);
      // Mosquitto connects 50 clients in less than one 10 ms /proc tick: zero is a valid reading.
      expect(Number.isFinite(m.connectCpuMsPerAgent)).toBe(true);
      expect(m.connectCpuMsPerAgent).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(m.marginalKbPerAgent)).toBe(true);
    }
    // Live state per agent. The homecam broker's RSS moves by ±10 MB with how V8 sizes its heap, far
    // more than 50 agents weigh, so only its heap (after a full GC) must have grown; Mosquitto's
    // malloc'ed sessions always add resident pages.
    finitePositive(r.memory.homecam.heapKbPerAgent);
    finitePositive(r.memory.mosquitto.kbPerAgent);
    expect(r.memory.mosquitto.heapKbPerAgent).toBeUndefined();

    const out = lines.join("\n");
    expect(out).toContain("CPU per message homecam / Mosquitto:");
    expect(out).toContain("homecam RSS per idle agent:");
  }, 120_000);

  it("relays every command of a tiny round-trip run through the real cloud and agents", async () => {
    const lines: string[] = [];
    const opts = parseOptions([
      ...["--only", "roundtrip", "--commands", "50", "--command-warmup", "5", "--concurrency", "4"],
      ...["--snapshots", "3"],
    ]);
    const r = await runRelayBench(opts, (line) => lines.push(line));
    expect(r.cpu).toBeUndefined();
    expect(r.memory).toBeUndefined();
    const runs = r.roundtrip?.runs ?? [];
    expect(runs.map((run) => [run.command, run.concurrency, run.answered])).toEqual([
      ["settings.get", 1, 50],
      ["settings.get", 4, 50],
      // From the real agent process: JPEG bytes cut from its test camera's video.
      ["snapshot", 1, 3],
    ]);
    for (const run of runs) {
      // A run throws on the first command not answered ok with the expected content.
      for (const ms of [run.p50Ms, run.p95Ms, run.p99Ms, run.maxMs]) finitePositive(ms);
      expect(run.p50Ms).toBeLessThanOrEqual(run.p99Ms);
      expect(run.p99Ms).toBeLessThanOrEqual(run.maxMs);
      finitePositive(run.wallS);
      finitePositive(run.reqPerS);
      // 50 commands may cost the cloud less than one 10 ms /proc tick: zero is a valid reading.
      expect(run.cloudCpuMsPerCmd).toBeGreaterThanOrEqual(0);
      finitePositive(run.agentCpuMsPerCmd);
    }

    const out = lines.join("\n");
    expect(out).toContain("Command round trip, REST -> cloud -> MQTT -> agent -> back");
    expect(out).toContain("Mosquitto: not applicable");
  }, 120_000);
});
