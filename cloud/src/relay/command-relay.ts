import {
  ApiError,
  type CloudConfig,
  type ErrorCode,
  encodeMessage,
  newMessageId,
  parseMessage,
  parseTopic,
  TOPIC_ROOT,
  topics,
} from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import type { CommandOptions, DeviceCommand, DeviceCommander } from "../rendezvous/context.js";
import type { Clock } from "../security/clock.js";
import { type CommandOutcome, RecentResults } from "./recent-results.js";
import { ReplyWaiters } from "./reply-waiters.js";

/** What the relay needs from the broker. */
export type RelayBroker = Pick<RunningBroker, "subscribe" | "publish">;

export interface CommandRelayDeps {
  config: Pick<CloudConfig, "relay">;
  log: Logger;
  clock: Clock;
  /** Presence: a command for a device that is not connected fails at once. */
  presence: { isOnline(deviceId: string): boolean };
  /** How long a finished answer is replayed for a repeated request id. Default 10 minutes. */
  rememberMs?: number;
  /** At most this many finished answers are remembered. Default 10 000. */
  rememberMax?: number;
}

// A device answering 401 must not make a viewer app believe its own session ended (it would
// refresh its token and retry forever): those codes are the device's internal failure here.
const DEVICE_CODE_REMAP: Partial<Record<ErrorCode, ErrorCode>> = {
  E_UNAUTHORIZED: "E_INTERNAL",
  E_TOKEN_EXPIRED: "E_INTERNAL",
};

/**
 * Relays commands to devices over MQTT: publishes `command` on `…/req/{requestId}` (QoS 1) and
 * waits for the device's `command.result` on `…/res/{requestId}` — matched by device AND request
 * id, so another device answering on its own `res` topic with the same id resolves nothing.
 * A repeated request id is executed once: while in flight it joins the first call, afterwards
 * (for {@link CommandRelayDeps.rememberMs}) it gets the stored answer without republishing. Only
 * the device's answers are remembered: "offline" and "timeout" are not results, and a retry
 * publishes again with the same id — the agent de-duplicates too.
 */
export class CommandRelay implements DeviceCommander {
  private readonly log: Logger;
  private readonly recent: RecentResults;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly waiting = new ReplyWaiters<CommandOutcome>();
  private broker: RelayBroker | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly deps: CommandRelayDeps) {
    this.log = moduleLogger(deps.log, "relay");
    this.recent = new RecentResults(deps.rememberMs ?? 10 * 60_000, deps.rememberMax ?? 10_000, () =>
      deps.clock.now(),
    );
  }

  /** Subscribe to every device's results; commands can be sent from then on. */
  async start(broker: RelayBroker): Promise<void> {
    this.unsubscribe = await broker.subscribe(`${TOPIC_ROOT}/+/res/+`, (topic, payload) =>
      this.onResult(topic, payload),
    );
    this.broker = broker;
  }

  isOnline(deviceId: string): boolean {
    return this.deps.presence.isOnline(deviceId);
  }

  send(deviceId: string, command: DeviceCommand, opts: CommandOptions = {}): Promise<unknown> {
    const requestId = opts.requestId ?? newMessageId();
    const key = `${deviceId}/${requestId}`;
    const done = this.recent.get(key);
    if (done) return Promise.resolve(done).then(unwrap);
    const running = this.inFlight.get(key);
    if (running) return running;
    const timeoutMs = opts.timeoutMs ?? this.deps.config.relay.commandTimeoutMs;
    const promise = this.execute(deviceId, requestId, key, command, timeoutMs);
    this.inFlight.set(key, promise);
    const forget = () => {
      this.inFlight.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Stop receiving results; commands still waiting fail with `E_DEVICE_OFFLINE`. */
  async close(): Promise<void> {
    this.broker = undefined;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting.failAll(new ApiError("E_DEVICE_OFFLINE", "the cloud is shutting down"));
  }

  private async execute(
    deviceId: string,
    requestId: string,
    key: string,
    command: DeviceCommand,
    timeoutMs: number,
  ): Promise<unknown> {
    const broker = this.broker;
    if (!broker) throw new Error("the command relay is not started");
    if (!this.deps.presence.isOnline(deviceId)) {
      throw new ApiError("E_DEVICE_OFFLINE", "the device is not connected");
    }
    // The frame id is the request id: the agent de-duplicates on it.
    const payload = encodeMessage("command", command, { id: requestId, ts: this.deps.clock.now() });
    const topic = topics.req(deviceId, requestId);
    const started = this.deps.clock.now();
    // Subscribed before publishing (start()), so even an instant answer is not missed.
    const outcome = await this.waiting.wait(key, timeoutMs, () => broker.publish(topic, payload, { qos: 1 }));
    const ms = this.deps.clock.now() - started;
    if (outcome === "timeout") {
      this.log.info({ deviceId, requestId, command: command.name, timeoutMs }, "command timed out");
      throw new ApiError("E_TIMEOUT", `the device did not answer within ${timeoutMs} ms`);
    }
    this.log.debug(
      { deviceId, requestId, command: command.name, ms, outcome: outcome.ok ? "ok" : outcome.code },
      "command answered",
    );
    this.recent.set(key, outcome);
    return unwrap(outcome);
  }

  private onResult(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== "res") return;
    const key = `${parsed.deviceId}/${parsed.requestId}`;
    if (!this.waiting.has(key)) {
      // Late (after the timeout), repeated, or not ours: a retry republishes and the agent replays.
      this.log.debug(
        { deviceId: parsed.deviceId, requestId: parsed.requestId },
        "result for no waiting command",
      );
      return;
    }
    const result = parseMessage(payload, ["command.result"]);
    if (!result.ok) {
      this.log.warn({ deviceId: parsed.deviceId, error: result.error }, "command result dropped");
      return;
    }
    const body = result.message.body;
    this.waiting.settle(
      key,
      body.ok
        ? { ok: true, data: body.data }
        : {
            ok: false,
            code: DEVICE_CODE_REMAP[body.error.code] ?? body.error.code,
            message: body.error.message,
          },
    );
  }
}

function unwrap(outcome: CommandOutcome): unknown {
  if (outcome.ok) return outcome.data;
  throw new ApiError(outcome.code, outcome.message);
}
