import type { Logger } from "@homecam/shared/node";
import type { AgentModule } from "../module.js";
import type { OutboxRepo, OutboxWriter } from "../store/outbox-repo.js";
import type { OutboxRow } from "../store/schema.js";
import { outboxFrame } from "./outbox-frame.js";
import { type BackoffOptions, reconnectDelay } from "./reconnect-backoff.js";

/** What the sender needs from the MQTT link ({@link MqttLink} fits). */
export interface OutboxLink {
  readonly connected: boolean;
  /** Resolves true once the broker acknowledged (QoS 1), false when not sent (disconnected). */
  publish(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean }): Promise<boolean>;
  on(event: "connected" | "disconnected", listener: () => void): unknown;
  off(event: "connected" | "disconnected", listener: () => void): unknown;
}

export interface OutboxSenderOptions {
  link: OutboxLink;
  repo: OutboxRepo;
  /** The device id of the `hc/v1/dev/{deviceId}/evt/{type}` topics. */
  deviceId: string;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** New rows wake the sender at once (otherwise it finds them at the next poll). */
  writer?: Pick<OutboxWriter, "onWritten">;
  now?: () => number;
  /** Picks the back-off jitter (tests pass a constant). */
  random?: () => number;
  /** Rows published and not yet acknowledged, across cameras (default 16). */
  window?: number;
  /** Delay before retrying a row whose publish failed (default 1 s doubling to 5 min, jitter 0.5). */
  backoff?: BackoffOptions;
  /** Failed publishes (while connected) after which a row is set aside (default 100). */
  maxAttempts?: number;
  /** How often the queue is looked at without being woken (default 5 s). */
  pollMs?: number;
  /** Delivered and dead rows are deleted after this long (default 7 days). */
  keepMs?: number;
  /** How often old rows are pruned (default 1 h). */
  pruneEveryMs?: number;
  /** Told of every row the broker acknowledged (e.g. the uploader waits for `recording.ready`). */
  onDelivered?: (row: Pick<OutboxRow, "type" | "subject_id">) => void;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 5 * 60_000, jitter: 0.5 };
const DAY_MS = 24 * 60 * 60_000;

/**
 * Delivers the outbox (an {@link AgentModule}, built only when the cloud is enabled): while the
 * link is connected it publishes undelivered rows on `evt/{type}` with QoS 1 and marks each
 * delivered only after the broker's PUBACK.
 *
 * Order: a camera's rows form a lane with ONE row in flight at a time, so a camera's facts never
 * overtake each other whatever the broker does across topics (MQTT orders per topic only) and
 * whichever publish fails; up to `window` lanes are in flight together. On disconnect the lanes
 * are forgotten and, on reconnect, every lane resumes at its first undelivered row (a row in flight
 * when the link died is sent again with the same id: at least once). A failed publish holds its
 * lane with back-off and jitter; a row that no longer encodes is marked dead with a warning.
 */
export class OutboxSender implements AgentModule {
  readonly name = "outbox";
  readonly #o: OutboxSenderOptions;
  readonly #now: () => number;
  readonly #window: number;
  /** Lane (camera id, '' for device-wide) → seq of its row in flight on this connection. */
  readonly #lanes = new Map<string, number>();
  /** Publishes of the current connection, awaited by `stop()`. */
  readonly #sends = new Set<Promise<void>>();
  /** Bumped on disconnect and stop: results of older publishes no longer steer the lanes. */
  #generation = 0;
  #running = false;
  #pumping: Promise<void> | undefined;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastPruneAt = Number.NEGATIVE_INFINITY;
  #unsubscribe: (() => void) | undefined;
  readonly #onConnected = () => this.#kick();
  readonly #onDisconnected = () => {
    this.#generation++;
    this.#lanes.clear();
    this.#sends.clear();
  };

  constructor(opts: OutboxSenderOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#window = Math.max(1, opts.window ?? 16);
  }

  async start(_signal?: AbortSignal): Promise<void> {
    this.#running = true;
    this.#o.link.on("connected", this.#onConnected);
    this.#o.link.on("disconnected", this.#onDisconnected);
    this.#unsubscribe = this.#o.writer?.onWritten(() => this.#kick());
    this.#kick();
  }

  /** Stop sending; waits for the publishes in flight to be acknowledged and recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#o.link.off("connected", this.#onConnected);
    this.#o.link.off("disconnected", this.#onDisconnected);
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    await this.#pumping;
    await Promise.allSettled([...this.#sends]);
    this.#generation++;
  }

  /** Look at the queue now (also what new rows and acknowledgements do). */
  #kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = (async () => {
      do {
        this.#again = false;
        try {
          await this.#pumpOnce();
        } catch (err) {
          // Supervisor-loop boundary: a database error is logged; the next poll tries again.
          this.#o.log.error({ err }, "outbox delivery failed");
        }
      } while (this.#again && this.#running);
    })().finally(() => {
      this.#pumping = undefined;
    });
  }

  async #pumpOnce(): Promise<void> {
    const now = this.#now();
    await this.#pruneIfDue(now);
    let wakeAt = now + (this.#o.pollMs ?? 5_000);
    try {
      if (!this.#o.link.connected) return;
      const generation = this.#generation;
      for (const row of await this.#o.repo.heads()) {
        if (this.#lanes.size >= this.#window) break;
        const lane = row.camera_id ?? "";
        if (this.#lanes.has(lane)) continue;
        if (row.next_attempt_at > now) {
          wakeAt = Math.min(wakeAt, row.next_attempt_at);
          continue;
        }
        if (generation !== this.#generation || !this.#running) return;
        const frame = outboxFrame(this.#o.deviceId, row);
        if (!frame.ok) {
          await this.#o.repo.markDead(row.seq, now, frame.error);
          this.#o.log.warn(
            { seq: row.seq, id: row.id, type: row.type, error: frame.error },
            "outbox row cannot be sent: set aside",
          );
          this.#again = true; // its lane's next row is the new head
          continue;
        }
        this.#send(row, frame.topic, frame.payload, lane, generation);
      }
    } finally {
      this.#schedule(wakeAt - this.#now());
    }
  }

  #send(row: OutboxRow, topic: string, payload: string, lane: string, generation: number): void {
    const { repo, log } = this.#o;
    this.#lanes.set(lane, row.seq);
    const current = () => generation === this.#generation;
    const sent = this.#o.link
      .publish(topic, payload, { qos: 1 })
      .then(
        async (acked) => {
          // An acknowledgement is true even from a connection since lost; after stop the row is
          // simply sent again at the next start.
          if (acked && (this.#running || current())) {
            await repo.markDelivered(row.seq, this.#now());
            this.#o.onDelivered?.(row);
          }
        },
        async (err: unknown) => {
          // Lost with its connection: resent on reconnect, not a failure of the row.
          if (!current()) return;
          const attempts = row.attempts + 1;
          const error = err instanceof Error ? err.message : String(err);
          if (attempts >= (this.#o.maxAttempts ?? 100)) {
            await repo.markDead(row.seq, this.#now(), `gave up after ${attempts} attempts: ${error}`);
            log.warn({ seq: row.seq, id: row.id, type: row.type, attempts, error }, "outbox row given up");
            return;
          }
          const delay = reconnectDelay(attempts - 1, this.#o.backoff ?? DEFAULT_BACKOFF, this.#o.random);
          await repo.markFailed(row.seq, attempts, this.#now() + delay, error);
          log.warn(
            { seq: row.seq, type: row.type, attempts, delayMs: delay, error },
            "outbox publish failed",
          );
        },
      )
      .catch((err: unknown) => log.error({ err, seq: row.seq }, "outbox row state not recorded"))
      .finally(() => {
        this.#sends.delete(sent);
        if (current() && this.#lanes.get(lane) === row.seq) this.#lanes.delete(lane);
        this.#kick();
      });
    this.#sends.add(sent);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (!this.#running) return;
    this.#timer = setTimeout(() => this.#kick(), Math.max(0, ms));
    this.#timer.unref?.();
  }

  async #pruneIfDue(now: number): Promise<void> {
    if (now - this.#lastPruneAt < (this.#o.pruneEveryMs ?? 60 * 60_000)) return;
    this.#lastPruneAt = now;
    const removed = await this.#o.repo.prune(now - (this.#o.keepMs ?? 7 * DAY_MS));
    if (removed > 0) this.#o.log.info({ removed }, "old outbox rows pruned");
  }
}
