// Part 2: broker memory per connected idle agent. Each simulated agent connects as the real one
// does (keepalive 60, persistent session, retained last will "offline" on its status topic),
// subscribes to its `req/+` at QoS 1 and publishes one retained `device.status` "online"; then it
// stays idle. The broker's resident set (VmRSS from /proc) is read before any agent, at half and
// after all; on homecam each reading follows a full GC inside the broker (--expose-gc), which also
// reports V8's heap. Finally a service client counts the retained statuses: one per agent.

import { topics } from "@homecam/shared";
import type { MqttClient } from "mqtt";
import { cpuSeconds, memory } from "../motion/proc.js";
import type { BrokerKind, BrokerUnderTest } from "./brokers.js";
import { closeAll, connectClient, ErrorSink, openInBatches, waitUntil } from "./clients.js";
import { type BenchDevice, offlineStatusPayload, onlineStatusPayload } from "./devices.js";

export const STATUS_FILTER = "hc/v1/dev/+/status";

export interface IdleAgentsResult {
  broker: BrokerKind;
  label: string;
  agents: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  /** (after − before) / agents. */
  kbPerAgent: number;
  /** (after − half) / (agents − agents/2): without one-time costs (compiled code, caches). */
  marginalKbPerAgent: number;
  /** V8 heap used after GC, per agent (homecam only). */
  heapKbPerAgent?: number;
  /** The same over the second half only (homecam only). */
  marginalHeapKbPerAgent?: number;
  /** Broker CPU to connect, subscribe and take the status publish, per agent. */
  connectCpuMsPerAgent: number;
  /** Retained statuses a fresh subscriber got: equals `agents` or the run throws. */
  retainedStatuses: number;
}

interface Reading {
  rssKb: number;
  heapUsed?: number;
}

/** Connect `devices` as idle agents to `broker` (fresh, nothing else connected) and measure. */
export async function measureIdleAgents(
  broker: BrokerUnderTest,
  devices: readonly BenchDevice[],
  batch: number,
): Promise<IdleAgentsResult> {
  const sink = new ErrorSink();
  const clients: MqttClient[] = [];
  const online = onlineStatusPayload();
  const will = offlineStatusPayload();
  const agents = devices.length;
  const half = Math.floor(agents / 2);
  try {
    const before = await read(broker);
    const cpu0 = cpuSeconds(broker.pid) ?? Number.NaN;
    const connect = async (i: number) => {
      const device = devices[i] as BenchDevice;
      const client = await connectClient(
        broker.url,
        {
          ...(await broker.deviceLogin(device)),
          keepalive: 60,
          clean: false,
          will: { topic: topics.status(device.id), payload: will, qos: 1, retain: true },
        },
        sink,
      );
      clients.push(client);
      const granted = await client.subscribeAsync(`hc/v1/dev/${device.id}/req/+`, { qos: 1 });
      if (granted[0]?.qos !== 1) throw new Error(`${broker.kind}: req/+ refused for agent ${i}`);
      await client.publishAsync(topics.status(device.id), online, { qos: 1, retain: true });
    };
    await openInBatches(half, batch, connect);
    const middle = await read(broker);
    await openInBatches(agents - half, batch, (i) => connect(half + i));
    const connectCpuS = (cpuSeconds(broker.pid) ?? Number.NaN) - cpu0;
    const after = await read(broker, agents);
    sink.check();

    const retainedStatuses = await countRetained(broker, agents, online, sink);
    const perAgent = (from: number, to: number, n: number) => (to - from) / n;
    return {
      broker: broker.kind,
      label: broker.label,
      agents,
      rssBeforeKb: before.rssKb,
      rssAfterKb: after.rssKb,
      kbPerAgent: perAgent(before.rssKb, after.rssKb, agents),
      marginalKbPerAgent: perAgent(middle.rssKb, after.rssKb, agents - half),
      ...(before.heapUsed !== undefined && middle.heapUsed !== undefined && after.heapUsed !== undefined
        ? {
            heapKbPerAgent: perAgent(before.heapUsed, after.heapUsed, agents) / 1024,
            marginalHeapKbPerAgent: perAgent(middle.heapUsed, after.heapUsed, agents - half) / 1024,
          }
        : {}),
      connectCpuMsPerAgent: (connectCpuS * 1000) / agents,
      retainedStatuses,
    };
  } finally {
    // The broker first: with it gone the agents' sockets just close (no will, no session work).
    await broker.stop();
    await closeAll(clients);
  }
}

/**
 * Memory of the broker process. On homecam the probe runs a full GC first and, when `connected`
 * is given, must count exactly that many authenticated clients.
 */
async function read(broker: BrokerUnderTest, connected?: number): Promise<Reading> {
  let heapUsed: number | undefined;
  if (broker.probe) {
    const probe = await broker.probe();
    if (!probe.gc) throw new Error("homecam broker child runs without --expose-gc");
    if (connected !== undefined && probe.connectedClients !== connected) {
      throw new Error(`homecam broker counts ${probe.connectedClients} clients, expected ${connected}`);
    }
    heapUsed = probe.heapUsed;
  }
  const m = memory(broker.pid);
  if (!m) throw new Error(`${broker.kind} broker process ${broker.pid} is gone`);
  return heapUsed === undefined ? { rssKb: m.rssKb } : { rssKb: m.rssKb, heapUsed };
}

/** Subscribe to every status topic as the service and count the retained `online` statuses. */
async function countRetained(
  broker: BrokerUnderTest,
  expected: number,
  online: Buffer,
  sink: ErrorSink,
): Promise<number> {
  const checker = await connectClient(broker.url, broker.serviceLogin("bench-check"), sink);
  try {
    let retained = 0;
    checker.on("message", (_topic, payload, packet) => {
      if (packet.retain && payload.equals(online)) retained++;
    });
    await checker.subscribeAsync(STATUS_FILTER, { qos: 1 });
    await waitUntil(
      () => retained >= expected,
      () => retained,
      () => `${broker.kind}: ${retained} of ${expected} retained statuses`,
    );
    return retained;
  } finally {
    await closeAll([checker]);
  }
}
