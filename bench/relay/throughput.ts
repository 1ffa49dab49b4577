// Part 1: broker CPU per message. Publishers (one per simulated device) send QoS 1 telemetry to
// their own `hc/v1/dev/{id}/telemetry`; one subscriber of `hc/v1/dev/+/telemetry` (the cloud's
// service identity on homecam) receives them at QoS 1. The broker's utime+stime is read from /proc
// around the measured window, after a warm-up that lets V8 optimise the homecam broker's hot path.

import { performance } from "node:perf_hooks";
import { topics } from "@homecam/shared";
import type { MqttClient } from "mqtt";
import { cpuSeconds } from "../motion/proc.js";
import type { BrokerKind, BrokerUnderTest } from "./brokers.js";
import { closeAll, connectClient, ErrorSink, openInBatches, waitUntil } from "./clients.js";
import { type BenchDevice, telemetryPayload } from "./devices.js";

export const TELEMETRY_FILTER = "hc/v1/dev/+/telemetry";

export interface ThroughputOptions {
  /** Messages in the measured window. */
  messages: number;
  /** Messages before the window (same path, not measured). */
  warmup: number;
  /** QoS 1 publishes each publisher keeps in flight (awaiting PUBACK). */
  window: number;
  /** Connections opened at once. */
  batch: number;
}

export interface ThroughputResult {
  broker: BrokerKind;
  label: string;
  publishers: number;
  messages: number;
  /** Messages the subscriber got in the window; equals `messages` or the run throws. */
  received: number;
  payloadBytes: number;
  brokerCpuS: number;
  wallS: number;
  cpuUsPerMsg: number;
  msgsPerS: number;
}

interface Publisher {
  client: MqttClient;
  topic: string;
  /** Messages the subscriber got on this publisher's topic. */
  received: number;
}

/** Run one measurement against `broker` with one publisher per device. */
export async function measureThroughput(
  broker: BrokerUnderTest,
  devices: readonly BenchDevice[],
  opts: ThroughputOptions,
): Promise<ThroughputResult> {
  const sink = new ErrorSink();
  const clients: MqttClient[] = [];
  const payload = telemetryPayload();
  try {
    const subscriber = await connectClient(broker.url, broker.serviceLogin("bench-sub"), sink);
    clients.push(subscriber);
    const granted = await subscriber.subscribeAsync(TELEMETRY_FILTER, { qos: 1 });
    if (granted[0]?.qos !== 1) throw new Error(`${broker.kind}: subscription refused (${granted[0]?.qos})`);

    const publishers = await openInBatches(devices.length, opts.batch, async (i) => {
      const device = devices[i] as BenchDevice;
      const client = await connectClient(broker.url, await broker.deviceLogin(device), sink);
      clients.push(client);
      return { client, topic: topics.telemetry(device.id), received: 0 } satisfies Publisher;
    });
    const byTopic = new Map(publishers.map((p) => [p.topic, p]));
    let received = 0;
    let lastArrival = 0;
    subscriber.on("message", (topic) => {
      received++;
      lastArrival = performance.now();
      const p = byTopic.get(topic);
      if (p) p.received++;
    });

    const phase = async (count: number) => {
      const target = received + count;
      const expected = publishers.map((p, i) => p.received + share(count, publishers.length, i));
      await Promise.all([
        publishAll(publishers, payload, count, opts.window, sink),
        waitUntil(
          () => {
            sink.check();
            return received >= target;
          },
          () => received,
          () => `${broker.kind}: subscriber got ${received} of ${target}`,
        ),
      ]);
      // Every publisher's own count, so a duplicate cannot stand in for a lost message.
      const short = publishers.findIndex((p, i) => p.received !== expected[i]);
      if (short >= 0) {
        const p = publishers[short] as Publisher;
        throw new Error(`${broker.kind}: ${p.topic} delivered ${p.received}, expected ${expected[short]}`);
      }
    };

    if (opts.warmup > 0) await phase(opts.warmup);
    const before = received;
    const cpu0 = readCpu(broker);
    const t0 = performance.now();
    await phase(opts.messages);
    const brokerCpuS = readCpu(broker) - cpu0;
    const wallS = (lastArrival - t0) / 1000;
    sink.check();
    return {
      broker: broker.kind,
      label: broker.label,
      publishers: publishers.length,
      messages: opts.messages,
      received: received - before,
      payloadBytes: payload.byteLength,
      brokerCpuS,
      wallS,
      cpuUsPerMsg: (brokerCpuS * 1e6) / opts.messages,
      msgsPerS: opts.messages / wallS,
    };
  } finally {
    await closeAll(clients);
  }
}

/** Messages publisher `i` of `n` sends out of `total` (the first `total % n` send one more). */
function share(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

/** Each publisher sends its share, keeping `window` QoS 1 publishes awaiting PUBACK. */
function publishAll(
  publishers: readonly Publisher[],
  payload: Buffer,
  total: number,
  window: number,
  sink: ErrorSink,
): Promise<unknown> {
  return Promise.all(
    publishers.map(
      ({ client, topic }, i) =>
        new Promise<void>((resolve) => {
          const n = share(total, publishers.length, i);
          let sent = 0;
          let acked = 0;
          const next = () => {
            while (sent < n && sent - acked < window) {
              sent++;
              client.publish(topic, payload, { qos: 1 }, (err) => {
                if (err) sink.record(err);
                acked++;
                if (acked === n) resolve();
                else next();
              });
            }
          };
          if (n === 0) resolve();
          else next();
        }),
    ),
  );
}

function readCpu(broker: BrokerUnderTest): number {
  const s = cpuSeconds(broker.pid);
  if (s === undefined) throw new Error(`${broker.kind} broker process ${broker.pid} is gone`);
  return s;
}
