// mqtt.js clients as the bench uses them: MQTT 3.1.1 (aedes speaks nothing newer), no reconnects
// (a reconnect would resend and skew the counts), connections opened in bounded batches.

import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

/** Options every bench client shares. */
export const BASE_OPTIONS: IClientOptions = {
  protocolVersion: 4,
  reconnectPeriod: 0,
  connectTimeout: 15_000,
  keepalive: 60,
};

/**
 * Collects asynchronous client errors (an 'error' event without a listener would throw out of the
 * event loop) so a run can fail with the first one instead.
 */
export class ErrorSink {
  private first: Error | undefined;

  record = (err: Error): void => {
    this.first ??= err;
  };

  /** Throw the first recorded error, if any. */
  check(): void {
    if (this.first) throw this.first;
  }
}

/** Connect one client; its later errors go to `sink`. */
export async function connectClient(url: string, opts: IClientOptions, sink: ErrorSink): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { ...BASE_OPTIONS, ...opts });
  client.on("error", sink.record);
  return client;
}

/**
 * Open `count` connections, `batch` at a time (Mosquitto's listen backlog is 100: more at once
 * drops SYNs and the retries dominate). `open(i)` connects (and sets up) the i-th client.
 */
export async function openInBatches<T>(
  count: number,
  batch: number,
  open: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    out.push(...(await Promise.all(Array.from({ length: end - start }, (_, k) => open(start + k)))));
  }
  return out;
}

/** Close clients without waiting for in-flight messages; never throws. */
export async function closeAll(clients: Iterable<MqttClient>): Promise<void> {
  await Promise.all([...clients].map((c) => c.endAsync(true).catch(() => {})));
}

/**
 * Resolve once `done()` holds, polling every 20 ms; reject when `progress()` has not changed for
 * `stallMs` (a broker that stopped delivering), with `describe()` in the message.
 */
export async function waitUntil(
  done: () => boolean,
  progress: () => number,
  describe: () => string,
  stallMs = 20_000,
): Promise<void> {
  let last = progress();
  let lastChange = Date.now();
  while (!done()) {
    await new Promise((r) => setTimeout(r, 20));
    const now = progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`no progress for ${stallMs / 1000} s: ${describe()}`);
    }
  }
}
