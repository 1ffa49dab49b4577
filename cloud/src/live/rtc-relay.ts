import {
  ApiError,
  type CloudConfig,
  type ErrorCode,
  encodeMessage,
  isErrorCode,
  type MessageBodyInput,
  parseMessage,
  parseTopic,
  TOPIC_ROOT,
  topics,
} from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import { ReplyWaiters } from "../relay/reply-waiters.js";
import type { Clock } from "../security/clock.js";

/** What the relay needs from the broker. */
export type RtcBroker = Pick<RunningBroker, "subscribe" | "publish">;

export interface RtcRelayDeps {
  config: Pick<CloudConfig, "rtc">;
  log: Logger;
  clock: Clock;
  /** Presence: an offer for a device that is not connected fails at once. */
  presence: { isOnline(deviceId: string): boolean };
}

/** The device ended a session on its own (peer failed, camera disarmed, agent stopping). */
export type DeviceClosedListener = (deviceId: string, sessionId: string, reason: string | undefined) => void;

// As for commands: a device claiming the viewer is unauthenticated must not make the viewer app
// believe its own session ended and refresh forever.
const DEVICE_CODE_REMAP: Partial<Record<ErrorCode, ErrorCode>> = {
  E_UNAUTHORIZED: "E_INTERNAL",
  E_TOKEN_EXPIRED: "E_INTERNAL",
};

/** `E_NOT_FOUND: no such camera` → that code and message; anything else is the device's fault. */
export function refusalError(reason: string | undefined): ApiError {
  const match = /^(E_[A-Z_]+):\s*(.*)$/s.exec(reason ?? "");
  const code = match?.[1];
  if (match && isErrorCode(code)) {
    return new ApiError(DEVICE_CODE_REMAP[code] ?? code, match[2] || "the device refused the session");
  }
  return new ApiError(
    "E_INTERNAL",
    reason ? `the device refused: ${reason}` : "the device refused the session",
  );
}

/**
 * Relays WHEP signalling to devices over MQTT (DESIGN §5 `rtc` topics): the viewer's offer goes
 * down as `rtc.offer` on `…/rtc/{sessionId}/in` (QoS 1), the device's `rtc.answer` (or an
 * `rtc.close` refusal) comes back on `…/rtc/{sessionId}/out`. Answers are matched by device AND
 * session id: another device publishing on its own `rtc/<same id>/out` resolves nothing.
 */
export class RtcRelay {
  private readonly log: Logger;
  private readonly waiting = new ReplyWaiters<string>();
  private readonly closedListeners = new Set<DeviceClosedListener>();
  private broker: RtcBroker | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly deps: RtcRelayDeps) {
    this.log = moduleLogger(deps.log, "rtc-relay");
  }

  /** Subscribe to every device's `rtc/+/out`; offers can be relayed from then on. */
  async start(broker: RtcBroker): Promise<void> {
    this.unsubscribe = await broker.subscribe(`${TOPIC_ROOT}/+/rtc/+/out`, (topic, payload) =>
      this.onOut(topic, payload),
    );
    this.broker = broker;
  }

  /** Be told when a device ends a session unasked. Returns the unsubscribe function. */
  onDeviceClosed(listener: DeviceClosedListener): () => void {
    this.closedListeners.add(listener);
    return () => {
      this.closedListeners.delete(listener);
    };
  }

  /**
   * Send the offer and wait for the device's SDP answer. Throws ApiError: `E_DEVICE_OFFLINE` at
   * once for a disconnected device, `E_TIMEOUT` after `rtc.answerTimeoutMs`, or the device's
   * refusal (`rtc.close` with `E_…: message`).
   */
  async offer(deviceId: string, sessionId: string, body: MessageBodyInput<"rtc.offer">): Promise<string> {
    const broker = this.broker;
    if (!broker) throw new Error("the rtc relay is not started");
    if (!this.deps.presence.isOnline(deviceId)) {
      throw new ApiError("E_DEVICE_OFFLINE", "the device is not connected");
    }
    const key = `${deviceId}/${sessionId}`;
    if (this.waiting.has(key)) throw new ApiError("E_CONFLICT", "an offer for this session is in flight");
    const timeoutMs = this.deps.config.rtc.answerTimeoutMs;
    const started = this.deps.clock.now();
    const payload = encodeMessage("rtc.offer", body, { ts: started });
    const answer = await this.waiting.wait(key, timeoutMs, () =>
      broker.publish(topics.rtc(deviceId, sessionId, "in"), payload, { qos: 1 }),
    );
    if (answer === "timeout") {
      this.log.info({ deviceId, sessionId, timeoutMs }, "no rtc answer in time");
      // A late answer would leave a half-open peer on the device until its own timeout.
      await this.close(deviceId, sessionId, "E_TIMEOUT: the cloud stopped waiting for the answer");
      throw new ApiError("E_TIMEOUT", `the device did not answer within ${timeoutMs} ms`);
    }
    this.log.debug({ deviceId, sessionId, ms: this.deps.clock.now() - started }, "rtc answered");
    return answer;
  }

  /** Tell the device to end the session (`rtc.close` down). Never throws. */
  async close(deviceId: string, sessionId: string, reason: string): Promise<void> {
    const broker = this.broker;
    if (!broker) return;
    const payload = encodeMessage("rtc.close", { reason: reason.slice(0, 256) });
    await broker.publish(topics.rtc(deviceId, sessionId, "in"), payload, { qos: 1 }).catch((err: unknown) => {
      this.log.warn({ err, deviceId, sessionId }, "rtc.close not published");
    });
  }

  /** Stop receiving; offers still waiting fail with `E_DEVICE_OFFLINE`. */
  async stop(): Promise<void> {
    this.broker = undefined;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting.failAll(new ApiError("E_DEVICE_OFFLINE", "the cloud is shutting down"));
  }

  private onOut(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== "rtc" || parsed.dir !== "out") return;
    const { deviceId, sessionId } = parsed;
    const message = parseMessage(payload, ["rtc.answer", "rtc.close", "rtc.candidate"]);
    if (!message.ok) {
      this.log.warn({ deviceId, error: message.error }, "rtc message dropped");
      return;
    }
    const key = `${deviceId}/${sessionId}`;
    const { type, body } = message.message;
    if (type === "rtc.answer") {
      if (!this.waiting.settle(key, body.sdp))
        this.log.debug({ deviceId, sessionId }, "rtc answer for no waiting offer");
    } else if (type === "rtc.close") {
      if (this.waiting.fail(key, refusalError(body.reason))) {
        this.log.info({ deviceId, sessionId, reason: body.reason }, "device refused the rtc offer");
        return;
      }
      for (const listener of this.closedListeners) {
        try {
          listener(deviceId, sessionId, body.reason);
        } catch (err) {
          this.log.error({ err, deviceId }, "rtc close listener failed");
        }
      }
    }
    // rtc.candidate: WHEP answers carry every candidate (no trickle ICE yet), nothing to forward.
  }
}
