import { EVENT_MESSAGE_TYPES, messageTypesFor, parseMessage, parseTopic, TOPIC_ROOT } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import { KeyedQueue } from "../presence/keyed-queue.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import { EventIndexSignals } from "./event-signals.js";
import { type EventMessage, type IngestEffect, IngestStore, isDeviceKey } from "./ingest-store.js";
import { eventView, recordingView } from "./views.js";

const DAY_MS = 86_400_000;

/** What the ingest needs from the broker. */
export type IngestBroker = Pick<RunningBroker, "subscribe">;

export interface EventIngestDeps {
  ctx: Pick<RendezvousContext, "db" | "clock" | "log">;
  /** How long applied frame ids are remembered (a redelivery later than this is applied again). 7 days. */
  keepIdsMs?: number;
  /** How often old frame ids are pruned; 0 = never (tests call {@link EventIngest.prune}). 1 h. */
  pruneIntervalMs?: number;
}

/**
 * The cloud end of the agents' outbox: applies `evt/*` facts (MQTT, or `POST /api/events`) to the
 * event index exactly once per frame id, one device at a time in arrival order, and emits
 * {@link EventIndexSignals} after each commit. Bad payloads are logged and dropped, never thrown.
 */
export class EventIngest {
  /** Signals for notifications and storage (emitted after commit). */
  readonly signals: EventIndexSignals;
  private readonly store: IngestStore;
  private readonly log: Logger;
  private readonly queue = new KeyedQueue();
  private readonly stops: Array<() => unknown> = [];
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EventIngestDeps) {
    this.log = moduleLogger(deps.ctx.log, "events");
    this.store = new IngestStore(deps.ctx.db);
    this.signals = new EventIndexSignals(this.log);
  }

  /** Subscribe to every device's `evt/+` and start pruning. */
  async start(broker: IngestBroker): Promise<void> {
    this.stops.push(
      await broker.subscribe(`${TOPIC_ROOT}/+/evt/+`, (topic, payload) => this.onMessage(topic, payload)),
    );
    const every = this.deps.pruneIntervalMs ?? 3_600_000;
    if (every > 0) {
      this.pruneTimer = setInterval(() => {
        this.prune().catch((err: unknown) => this.log.error({ err }, "ingested ids prune failed"));
      }, every);
      this.pruneTimer.unref();
    }
  }

  /**
   * Apply one validated message from `deviceId` (queued behind that device's earlier messages).
   * Resolves true when it changed the index, false for a duplicate or a dropped fact; rejects only
   * on a database failure.
   */
  apply(deviceId: string, message: EventMessage): Promise<boolean> {
    return this.queue.run(deviceId, async () => {
      const effect = await this.store.apply(deviceId, message, this.deps.ctx.clock.now());
      if (!effect.applied) {
        // A duplicate is QoS 1 doing its job; anything else deserves a look.
        const level = effect.reason === "duplicate" ? "debug" : "warn";
        this.log[level](
          { deviceId, type: message.type, messageId: message.id, reason: effect.reason },
          "event fact dropped",
        );
        return false;
      }
      if ("thumbnailKey" in message.body && message.body.thumbnailKey !== undefined) {
        if (!isDeviceKey(deviceId, message.body.thumbnailKey)) {
          this.log.warn(
            { deviceId, messageId: message.id },
            "thumbnail key outside the device's prefix ignored",
          );
        }
      }
      this.signal(deviceId, message, effect);
      return true;
    });
  }

  /** Forget frame ids older than the keep period; returns how many. */
  prune(): Promise<number> {
    return this.store.prune(this.deps.ctx.clock.now() - (this.deps.keepIdsMs ?? 7 * DAY_MS));
  }

  /** Resolves when every message received so far has been applied (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Unsubscribe, stop pruning, finish queued work. */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    for (const stop of this.stops.splice(0)) await stop();
    await this.queue.idle();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== "evt") return;
    const result = parseMessage(payload, messageTypesFor(parsed));
    if (!result.ok) {
      this.log.warn(
        { deviceId: parsed.deviceId, kind: parsed.eventKind, error: result.error },
        "message dropped",
      );
      return;
    }
    const message = result.message;
    if (!isEventMessage(message)) return;
    this.apply(parsed.deviceId, message).catch((err: unknown) => {
      this.log.error({ err, deviceId: parsed.deviceId, type: message.type }, "event fact not applied");
    });
  }

  private signal(deviceId: string, message: EventMessage, effect: IngestEffect): void {
    if (!effect.applied) return;
    const s = this.signals;
    if (effect.kind === "event") {
      const event = eventView(effect.event);
      if (effect.change === "created") s.emit("eventStarted", { deviceId, event });
      else if (effect.change === "ended") s.emit("eventEnded", { deviceId, event });
      else if (effect.change === "updated") s.emit("eventUpdated", { deviceId, event });
      return;
    }
    const recording = effect.recording ? recordingView(effect.recording) : null;
    switch (message.type) {
      case "recording.ready":
        if (recording) s.emit("recordingReady", { deviceId, recording });
        return;
      case "upload.done":
        if (recording) {
          const { kind, objectKey } = message.body;
          s.emit("uploadDone", { deviceId, recording, kind, objectKey });
        }
        return;
      case "clip.deleted":
        if (recording) {
          const { reason, uploaded } = message.body;
          s.emit("clipDeleted", { deviceId, recording, reason, uploaded });
        }
        return;
      case "retention.warning":
        s.emit("retentionWarning", { deviceId, recording, body: message.body });
        return;
      default:
        return;
    }
  }
}

function isEventMessage(message: { type: string }): message is EventMessage {
  return (EVENT_MESSAGE_TYPES as readonly string[]).includes(message.type);
}
