// Smoke test of bench/relay: its pure parts, and one tiny run of both parts against both real
// brokers (the cloud's broker in its child process, Debian's Mosquitto) with real mqtt clients and
// real device keys. No timing assertions: the figures must be finite and positive, and every
// message and every agent's retained status must have arrived. The real numbers come from
// `npx tsx bench/relay/run.ts` on a quiet machine.

import { describe, expect, it } from "vitest";
import { parseOptions, runRelayBench } from "../relay/bench.js";
import { mosquittoConfig } from "../relay/brokers.js";
import { telemetryPayload } from "../relay/devices.js";
import { median } from "../relay/report.js";

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
    const opts = parseOptions(["--messages", "5000", "--agents", "50", "--repeat", "1"]);
    const r = await runRelayBench(opts, (line) => lines.push(line));

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
});
