import { EventEmitter } from "node:events";
import {
  ApiError,
  deviceSubscriptions,
  direction,
  encodeMessage,
  type MqttMessage,
  messageTypesFor,
  parseMessage,
  parseTopic,
  topics,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { CameraRuntimeControl } from "../camera/control.js";
import type { AgentModule } from "../module.js";
import { CameraRegistration } from "./camera-registration.js";
import type { CloudApi } from "./cloud-api.js";
import { wireMessage } from "./command-errors.js";
import type { Command, CommandResult } from "./command-handler.js";
import { offlineStatus, onlineStatus } from "./device-status.js";
import { MqttConnection, type MqttConnectionOptions } from "./mqtt-connection.js";
import { type TelemetryBody, TelemetryReporter } from "./telemetry.js";

/** What the link needs from the command handler. */
export interface CommandPort {
  handle(requestId: string, command: Command): Promise<CommandResult>;
  dispose?(): void;
}

export interface MqttLinkOptions
  extends Pick<MqttConnectionOptions, "url" | "identity" | "keepaliveS" | "reconnect" | "connectTimeoutMs"> {
  /** The cloud's REST API: camera registration and the heartbeat fallback. */
  api: Pick<CloudApi, "call">;
  control: Pick<CameraRuntimeControl, "cameras" | "host" | "allSettings">;
  /** Answers `req/{id}` commands; without it every command is answered `E_NOT_IMPLEMENTED`. */
  commands?: CommandPort;
  agentVersion: string;
  log: Logger;
  /** How often camera statuses are compared with the last published status (default 2 s). */
  statusPollMs?: number;
  /** Telemetry period (default 30 s). */
  telemetryIntervalMs?: number;
  /** Memory in use, MiB (tests). */
  memoryMB?: () => number;
}

/** Signalling messages towards the device. */
export type RtcInMessage = MqttMessage<"rtc.offer" | "rtc.candidate" | "rtc.close">;

type LinkEvents = {
  connected: [];
  disconnected: [];
  /** WebRTC signalling on `rtc/{sessionId}/in`, for the live-view module. */
  rtc: [sessionId: string, message: RtcInMessage];
};

/**
 * The agent's link to the cloud (an {@link AgentModule}; created only when `cloud.enabled`). Over an
 * {@link MqttConnection} (fresh token per connect, last will `offline`/"connection lost"): on every
 * connect it publishes the retained `online` status with the cameras' statuses, subscribes to its
 * requests and signalling, and registers the cameras over HTTP. Camera status changes are
 * republished (polled every 2 s), telemetry goes out every 30 s (as an HTTP heartbeat while MQTT is
 * down), commands are answered on `res/{requestId}`, and `stop()` leaves `offline`/"shutdown".
 * Invalid incoming messages are logged and dropped.
 */
export class MqttLink extends EventEmitter<LinkEvents> implements AgentModule {
  readonly name = "cloud-link";
  readonly #o: MqttLinkOptions;
  readonly #log: Logger;
  readonly #deviceId: string;
  readonly #mqtt: MqttConnection;
  readonly #registration: CameraRegistration;
  readonly #telemetry: TelemetryReporter;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  /** The camera statuses last published, to publish only changes. */
  #lastStatus: string | undefined;
  /** The current connection's own status, subscription and registration are done: polling may start. */
  #settled = false;

  constructor(opts: MqttLinkOptions) {
    super();
    this.#o = opts;
    this.#log = opts.log;
    this.#deviceId = opts.identity.deviceId;
    this.#mqtt = new MqttConnection({
      ...opts,
      will: {
        topic: topics.status(this.#deviceId),
        payload: () => encodeMessage("device.status", offlineStatus("connection lost")),
      },
    });
    this.#mqtt.on("connected", () => void this.#onConnect());
    this.#mqtt.on("disconnected", () => this.emit("disconnected"));
    this.#mqtt.on("message", (topic, payload) => this.#onMessage(topic, payload));
    this.#registration = new CameraRegistration({
      api: opts.api,
      cameras: () => opts.control.allSettings(),
      log: opts.log,
    });
    this.#telemetry = new TelemetryReporter({
      control: opts.control,
      intervalMs: opts.telemetryIntervalMs ?? 30_000,
      publish: (body) => this.#publishTelemetry(body),
      heartbeat: (body) => this.#heartbeat(body),
      log: opts.log,
      ...(opts.memoryMB && { memoryMB: opts.memoryMB }),
    });
  }

  /** True while the broker has accepted the connection. */
  get connected(): boolean {
    return this.#mqtt.connected;
  }

  /** Successful connections so far (the first one included). */
  get connectCount(): number {
    return this.#mqtt.connectCount;
  }

  /** The local → cloud camera ids from the last registration. */
  get registeredCameras(): CameraRegistration["cameras"] {
    return this.#registration.cameras;
  }

  /** Start connecting; resolves at once (the cloud may be unreachable for a long time). */
  async start(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#statusTimer = setInterval(() => void this.#pollStatus(), this.#o.statusPollMs ?? 2_000);
    this.#telemetry.start();
    await this.#mqtt.start();
  }

  /** Publish the retained `offline` (`shutdown`) status, then disconnect cleanly (no last will). */
  async stop(): Promise<void> {
    clearInterval(this.#statusTimer);
    this.#telemetry.stop();
    this.#o.commands?.dispose?.();
    const farewell = encodeMessage("device.status", offlineStatus("shutdown"));
    await this.#mqtt.stop(() => this.publish(topics.status(this.#deviceId), farewell, { retain: true }));
  }

  /** Publish on one of the device's up topics. Resolves false (nothing sent) while disconnected. */
  publish(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<boolean> {
    return this.#mqtt.publish(topic, payload, opts);
  }

  async #onConnect(): Promise<void> {
    this.#settled = false;
    this.#lastStatus = undefined;
    await this.#publishStatus();
    try {
      await this.#mqtt.subscribe(deviceSubscriptions(this.#deviceId));
    } catch (err) {
      this.#log.error({ err }, "mqtt subscribe refused: remote commands will not arrive");
    }
    this.emit("connected");
    // The status above went out before the cloud knew the cameras (first contact): send it again
    // once they are registered, so their state shows at once instead of at the next change.
    if (await this.#registration.register()) {
      this.#lastStatus = undefined;
      await this.#publishStatus();
    }
    this.#settled = true;
  }

  /** Publish the retained `online` status unless the cameras' statuses equal the last one sent. */
  async #publishStatus(): Promise<void> {
    const body = onlineStatus(this.#o.agentVersion, this.#o.control.cameras());
    const key = JSON.stringify(body.cameras);
    if (key === this.#lastStatus) return;
    try {
      const payload = encodeMessage("device.status", body);
      if (await this.publish(topics.status(this.#deviceId), payload, { retain: true }))
        this.#lastStatus = key;
    } catch (err) {
      this.#log.warn({ err }, "status not published");
    }
  }

  async #pollStatus(): Promise<void> {
    if (!this.connected || !this.#settled) return;
    await this.#publishStatus();
    // A camera added or renamed: tell the cloud (registration is idempotent).
    if (this.#registration.changed()) await this.#registration.register();
  }

  #publishTelemetry(body: TelemetryBody): Promise<boolean> {
    return this.publish(topics.telemetry(this.#deviceId), encodeMessage("device.telemetry", body));
  }

  /** The fallback while MQTT is down: the same sample over HTTP, on any of this device's cameras. */
  async #heartbeat(body: TelemetryBody): Promise<void> {
    let target = this.#registration.heartbeatTarget();
    if (!target && (await this.#registration.register())) target = this.#registration.heartbeatTarget();
    if (!target) {
      this.#log.debug("no registered camera: heartbeat skipped");
      return;
    }
    await this.#o.api.call("POST", `/api/cameras/${encodeURIComponent(target)}/heartbeat`, body);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.deviceId !== this.#deviceId || direction(parsed) !== "down") {
      this.#log.warn({ topic: String(topic).slice(0, 200) }, "mqtt message on an unexpected topic dropped");
      return;
    }
    const result = parseMessage(payload, messageTypesFor(parsed));
    if (!result.ok) {
      this.#log.warn({ topic: topic.slice(0, 200), error: result.error }, "invalid mqtt message dropped");
      return;
    }
    const message = result.message;
    if (parsed.kind === "req" && message.type === "command") {
      void this.#answer(parsed.requestId, message.body);
    } else if (parsed.kind === "rtc" && message.type !== "rtc.answer") {
      this.emit("rtc", parsed.sessionId, message as RtcInMessage);
    }
  }

  /** Answer on `res/{requestId}`, with the request id as the answer's message id. */
  async #answer(requestId: string, command: Command): Promise<void> {
    let result: CommandResult;
    try {
      result = this.#o.commands
        ? await this.#o.commands.handle(requestId, command)
        : { ok: false, error: { code: "E_NOT_IMPLEMENTED", message: "this agent takes no commands" } };
    } catch (err) {
      result = { ok: false, error: { code: "E_INTERNAL", message: wireMessage(String(err)) } };
    }
    let payload: string;
    try {
      payload = encodeMessage("command.result", result, { id: requestId });
    } catch (err) {
      // The answer itself cannot be sent (too large, not serialisable): say so instead.
      const code = err instanceof ApiError ? err.code : "E_INTERNAL";
      const error = { code, message: wireMessage(`answer not sendable: ${(err as Error).message}`) };
      payload = encodeMessage("command.result", { ok: false, error }, { id: requestId });
    }
    try {
      // Not sent while disconnected: the cloud repeats the request and gets the cached answer.
      if (!(await this.publish(topics.res(this.#deviceId, requestId), payload))) {
        this.#log.info({ requestId }, "command answer not sent: disconnected");
      }
    } catch (err) {
      this.#log.warn({ err, requestId }, "command answer not sent");
    }
  }
}
