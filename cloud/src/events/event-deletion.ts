import { messageTypesFor, parseMessage, parseTopic, TOPIC_ROOT } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import type { EventDeletionsTable } from "../db/schema-storage.js";
import { KeyedQueue } from "../presence/keyed-queue.js";
import type { StorageResolver } from "../providers/provider-resolver.js";
import type { DeviceCommander, RendezvousContext } from "../rendezvous/context.js";
import { EventDeletionStore } from "./event-deletion-store.js";
import type { EventIndexSignals } from "./event-signals.js";

/** What the deletion follow-up needs from the broker: the devices' status topics. */
export type DeletionBroker = Pick<RunningBroker, "subscribe">;

export interface EventDeletionDeps {
  ctx: Pick<RendezvousContext, "db" | "clock" | "log">;
  signals: Pick<EventIndexSignals, "on">;
  storage: Pick<StorageResolver, "forObject">;
  commander: DeviceCommander;
  /** How often unfinished work is retried; 0 = never (tests call {@link EventDeletion.sweep}). 60 s. */
  sweepIntervalMs?: number;
}

/**
 * Codes after which the agent is asked again later: it did not get the command (offline, timeout),
 * or it cannot act yet (E_CONFLICT: the event is still recording). Any other answer is final.
 */
const ASK_AGAIN = new Set(["E_DEVICE_OFFLINE", "E_TIMEOUT", "E_CONFLICT"]);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/**
 * What follows an owner's `DELETE /api/events/:id`: the event's clips and thumbnail are deleted
 * from the store each was written to (and their keys cleared), and the agent is told with the
 * `event.delete` command. Both are durable work (`event_deletions`): an agent that is offline is
 * told when its `online` status arrives, a failing store is retried by the sweep. The command's
 * agent's delete is idempotent, so asking again after a lost answer is harmless.
 */
export class EventDeletion {
  private readonly store: EventDeletionStore;
  private readonly log: Logger;
  private readonly queue = new KeyedQueue();
  private readonly stops: Array<() => unknown> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EventDeletionDeps) {
    this.store = new EventDeletionStore(deps.ctx.db);
    this.log = moduleLogger(deps.ctx.log, "event-deletion");
  }

  /** Listen for deletions and devices coming online; pick up work left by an earlier run. */
  async start(broker: DeletionBroker): Promise<void> {
    this.stops.push(
      this.deps.signals.on("eventDeleted", ({ event }) => {
        void this.enqueue(event.id, () => this.store.request(event.id, this.now()));
      }),
    );
    this.stops.push(
      await broker.subscribe(`${TOPIC_ROOT}/+/status`, (topic, payload) => this.onStatus(topic, payload)),
    );
    const every = this.deps.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.sweep(), every);
      this.timer.unref();
    }
    void this.sweep();
  }

  /** Retry every unfinished deletion (of one device, when given). */
  async sweep(deviceId?: string): Promise<void> {
    try {
      if (deviceId === undefined) await this.store.adoptMissing();
      const rows = await this.store.unfinished(deviceId);
      await Promise.all(rows.map((row) => this.enqueue(row.event_id, async () => {})));
    } catch (err) {
      this.log.error({ err }, "event deletion sweep failed");
    }
  }

  /** Resolves when every queued deletion step has run (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const stop of this.stops.splice(0)) await stop();
    await this.queue.idle();
  }

  /** Run `first`, then the event's outstanding steps, one event at a time. */
  private enqueue(eventId: string, first: () => Promise<void>): Promise<void> {
    return this.queue
      .run(eventId, async () => {
        await first();
        const row = await this.store.get(eventId);
        if (row) await this.process(row);
      })
      .catch((err: unknown) => this.log.error({ err, eventId }, "event deletion step failed"));
  }

  private async process(row: EventDeletionsTable): Promise<void> {
    if (row.purged_at === null) await this.purge(row);
    if (row.agent_told_at === null) await this.tell(row);
  }

  private async purge(row: EventDeletionsTable): Promise<void> {
    try {
      for (const object of await this.store.objectsOf(row.event_id)) {
        const driver = await this.deps.storage.forObject(object.providerId);
        if (object.uploadId && driver.multipart) {
          await driver.multipart.abortMultipart(object.key, object.uploadId).catch(() => {});
        }
        await driver.delete(object.key);
      }
      await this.store.markPurged(row.event_id, this.now());
      this.log.info({ eventId: row.event_id, deviceId: row.device_id }, "deleted event's objects removed");
    } catch (err) {
      await this.store.markFailed(row.event_id, `purge: ${codeOf(err) ?? "error"}`);
      this.log.warn({ eventId: row.event_id, code: codeOf(err) }, "deleted event's objects not removed yet");
    }
  }

  private async tell(row: EventDeletionsTable): Promise<void> {
    // An offline agent is told when its "online" status arrives (onStatus).
    if (!this.deps.commander.isOnline(row.device_id)) return;
    try {
      await this.deps.commander.send(
        row.device_id,
        { name: "event.delete", args: { eventId: row.agent_event_id } },
        // One request id per attempt: the agent answers a repeated id from its cache, which would
        // replay an E_CONFLICT forever; a repeat of a delete that did happen finds nothing to do.
        { requestId: `evdel-${row.event_id}-${row.attempts}` },
      );
    } catch (err) {
      const code = codeOf(err);
      if (code === undefined || ASK_AGAIN.has(code)) {
        await this.store.markFailed(row.event_id, `agent: ${code ?? "error"}`);
        return;
      }
      // The agent answered (it may not know the event any more): it was told.
      this.log.info({ eventId: row.event_id, code }, "agent refused event.delete");
    }
    await this.store.markTold(row.event_id, this.now());
  }

  private onStatus(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== "status") return;
    const result = parseMessage(payload, messageTypesFor(parsed));
    if (!result.ok || result.message.type !== "device.status") return;
    if (result.message.body.state !== "online") return;
    // After presence (subscribed to the same topic) has taken the device for online.
    setImmediate(() => void this.sweep(parsed.deviceId));
  }

  private now(): number {
    return this.deps.ctx.clock.now();
  }
}
