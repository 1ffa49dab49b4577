import { EventEmitter } from "node:events";
import type { Logger } from "@homecam/shared/node";
import mqtt, { type MqttClient } from "mqtt";
import type { DeviceIdentity } from "../identity/device-identity.js";
import { CLOUD_DEVICE_AUDIENCE } from "./cloud-api.js";
import { type BackoffOptions, reconnectDelay } from "./reconnect-backoff.js";

export interface MqttConnectionOptions {
  /** The broker (`cloud.mqttUrl`). */
  url: string;
  identity: Pick<DeviceIdentity, "deviceId" | "signDeviceToken">;
  /** The last will: retained QoS 1 on `topic`; `payload` is rebuilt for every connect. */
  will: { topic: string; payload: () => string };
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
  /** MQTT keepalive, seconds (default 30). */
  keepaliveS?: number;
  /** Reconnect delays (default 1 s doubling to 30 s). */
  reconnect?: BackoffOptions;
  /** CONNECT to CONNACK timeout (default 10 s). */
  connectTimeoutMs?: number;
}

type ConnectionEvents = {
  connected: [];
  disconnected: [];
  message: [topic: string, payload: Buffer];
};

/** Lifetime of the token presented in CONNECT: used once, at once. */
const CONNECT_TOKEN_TTL_S = 60;
/** How long a clean disconnect may take before the socket is simply closed. */
const END_TIMEOUT_MS = 3_000;
/**
 * How long a publish may wait for its acknowledgement. mqtt.js never settles a QoS 1 publish whose
 * connection died before the ack (the session's stores are replaced on reconnect): without a bound,
 * the caller would wait forever.
 */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * One MQTT 3.1.1 session with the cloud broker: client id = user name = device id, persistent
 * session, last will. Each CONNECT presents a freshly signed device token (the broker refuses a
 * token it has seen), so reconnection is managed here rather than by mqtt.js, which would resend
 * the old password: after a loss it waits (1 s doubling to 30 s, with jitter), signs a new token and
 * reconnects, until `stop()`.
 */
export class MqttConnection extends EventEmitter<ConnectionEvents> {
  readonly #o: MqttConnectionOptions;
  #client: MqttClient | undefined;
  #connected = false;
  #stopped = false;
  #attempt = 0;
  #connects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: MqttConnectionOptions) {
    super();
    this.#o = opts;
  }

  /** True while the broker has accepted the connection. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Successful connections so far. */
  get connectCount(): number {
    return this.#connects;
  }

  /** Start connecting; resolves once the first attempt is under way, not when it succeeds. */
  async start(): Promise<void> {
    const id = this.#o.identity.deviceId;
    const client = mqtt.connect(this.#o.url, {
      clientId: id,
      username: id,
      protocolVersion: 4,
      clean: false,
      keepalive: this.#o.keepaliveS ?? 30,
      connectTimeout: this.#o.connectTimeoutMs ?? 10_000,
      // Reconnects are ours (a fresh token each); the link subscribes again on every connect.
      reconnectPeriod: 0,
      resubscribe: false,
      manualConnect: true,
    });
    this.#client = client;
    client.on("connect", () => this.#onConnect());
    client.on("close", () => this.#onClose());
    client.on("error", (err) => this.#o.log.warn({ err: err.message }, "mqtt connection error"));
    client.on("message", (topic, payload) => this.emit("message", topic, payload));
    await this.#connect(true);
  }

  /**
   * Stop reconnecting and close. When connected, `farewell` may publish a last message first, then
   * the session ends with DISCONNECT, so the broker discards the last will.
   */
  async stop(farewell?: () => Promise<unknown>): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    if (!client) return;
    if (this.#connected) {
      try {
        if (farewell) await withTimeout(farewell(), END_TIMEOUT_MS);
        await withTimeout(client.endAsync(false), END_TIMEOUT_MS);
        return;
      } catch (err) {
        this.#o.log.warn({ err }, "clean MQTT disconnect failed");
      }
    }
    await client.endAsync(true);
  }

  /**
   * Publish; resolves false (nothing sent) while disconnected, rejects when the broker did not
   * acknowledge in time. QoS 1 by default.
   */
  async publish(
    topic: string,
    payload: string,
    opts: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<boolean> {
    const client = this.#client;
    if (!client || !this.#connected) return false;
    const sent = client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false });
    await withTimeout(sent, PUBLISH_TIMEOUT_MS);
    return true;
  }

  /** Subscribe (QoS 1); rejects when the broker refuses a filter. */
  async subscribe(filters: string[]): Promise<void> {
    if (!this.#client) throw new Error("not started");
    await this.#client.subscribeAsync(filters, { qos: 1 });
  }

  /** Sign a new token and (re)connect with it. */
  async #connect(first: boolean): Promise<void> {
    this.#timer = undefined;
    const client = this.#client;
    if (!client || this.#stopped) return;
    let token: string;
    try {
      token = await this.#o.identity.signDeviceToken({
        aud: CLOUD_DEVICE_AUDIENCE,
        ttlSeconds: CONNECT_TOKEN_TTL_S,
      });
    } catch (err) {
      this.#o.log.error({ err }, "cannot sign a device token for MQTT");
      this.#scheduleReconnect();
      return;
    }
    if (this.#stopped) return;
    client.options.password = token;
    const will = this.#o.will;
    client.options.will = { topic: will.topic, payload: Buffer.from(will.payload()), qos: 1, retain: true };
    if (first) client.connect();
    else client.reconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#timer) return;
    const delay = reconnectDelay(this.#attempt++, this.#o.reconnect);
    this.#o.log.debug({ delayMs: delay, attempt: this.#attempt }, "mqtt reconnect scheduled");
    this.#timer = setTimeout(() => void this.#connect(false), delay);
  }

  #onConnect(): void {
    // Answers are small packets sent right after the command's PUBACK: without this, Nagle held
    // each one until the broker's delayed ACK (40 ms). Set on every (re)connect's new socket.
    (this.#client?.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.#connected = true;
    this.#attempt = 0;
    this.#connects++;
    this.#o.log.info({ connects: this.#connects }, "mqtt connected");
    this.emit("connected");
  }

  #onClose(): void {
    if (this.#connected) {
      this.#connected = false;
      if (this.#stopped) this.#o.log.info("mqtt connection closed");
      else this.#o.log.warn("mqtt connection lost");
      this.emit("disconnected");
    }
    this.#scheduleReconnect();
  }
}

/** Reject if `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
