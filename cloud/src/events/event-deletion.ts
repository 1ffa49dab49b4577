import { messageTypesFor, parseMessage, parseTopic, TOPIC_ROOT } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import { KeyedQueue } from "../presence/keyed-queue.js";
import type { StorageResolver } from "../providers/provider-resolver.js";
import type { DeviceCommander, RendezvousContext } from "../rendezvous/context.js";
import type { DeletionWork } from "./deletion-ledger.js";
import type { DeletionTarget } from "./deletion-target.js";
import { EventDeletionStore } from "./event-deletion-store.js";
import type { EventIndexSignals } from "./event-signals.js";
import { RecordingDeletionStore } from "./recording-deletion-store.js";

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
 * What follows an owner's `DELETE /api/events/:id` or `DELETE /api/recordings/:id`: the stored
 * objects (an event's clips and thumbnail, or one clip) are deleted from the store each was
 * written to (and their keys cleared), and the agent is told with `event.delete` or
 * `recording.delete`. Both are durable work (`event_deletions`, `recording_deletions`): an agent
 * that is offline is told when its `online` status arrives, a failing store is retried by the
 * sweep. The agent's deletes are idempotent, so asking again after a lost answer is harmless.
 */
export class EventDeletion {
  private readonly events: EventDeletionStore;
  private readonly recordings: RecordingDeletionStore;
  private readonly targets: DeletionTarget[];
  private readonly log: Logger;
  private readonly queue = new KeyedQueue();
  private readonly stops: Array<() => unknown> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EventDeletionDeps) {
    this.events = new EventDeletionStore(deps.ctx.db);
    this.recordings = new RecordingDeletionStore(deps.ctx.db);
    this.targets = [this.events, this.recordings];
    this.log = moduleLogger(deps.ctx.log, "event-deletion");
  }

  /** Listen for deletions and devices coming online; pick up work left by an earlier run. */
  async start(broker: DeletionBroker): Promise<void> {
    const { events, recordings } = this;
    this.stops.push(
      this.deps.signals.on("eventDeleted", ({ event }) => {
        void this.enqueue(events, event.id, () => events.request(event.id, this.now()));
      }),
      this.deps.signals.on("recordingDeleted", ({ recording }) => {
        void this.enqueue(recordings, recording.id, () => recordings.request(recording.id, this.now()));
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
    await Promise.all(
      this.targets.map(async (target) => {
        try {
          if (deviceId === undefined) await target.adoptMissing();
          const rows = await target.ledger.unfinished(deviceId);
          await Promise.all(rows.map((row) => this.enqueue(target, row.targetId, async () => {})));
        } catch (err) {
          this.log.error({ err, kind: target.kind }, "deletion sweep failed");
        }
      }),
    );
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

  /** Run `first`, then the target's outstanding steps, one target at a time. */
  private enqueue(target: DeletionTarget, targetId: string, first: () => Promise<void>): Promise<void> {
    return this.queue
      .run(`${target.kind}:${targetId}`, async () => {
        await first();
        const row = await target.ledger.get(targetId);
        if (row) await this.process(target, row);
      })
      .catch((err: unknown) => this.log.error({ err, kind: target.kind, targetId }, "deletion step failed"));
  }

  private async process(target: DeletionTarget, row: DeletionWork): Promise<void> {
    if (row.purgedAt === null) await this.purge(target, row);
    if (row.agentToldAt === null) await this.tell(target, row);
  }

  private async purge(target: DeletionTarget, row: DeletionWork): Promise<void> {
    const where = { kind: target.kind, id: row.targetId, deviceId: row.deviceId };
    try {
      for (const object of await target.objectsOf(row.targetId)) {
        const driver = await this.deps.storage.forObject(object.providerId);
        if (object.uploadId && driver.multipart) {
          await driver.multipart.abortMultipart(object.key, object.uploadId).catch(() => {});
        }
        await driver.delete(object.key);
      }
      await target.markPurged(row.targetId, this.now());
      this.log.info(where, "deleted objects removed from storage");
    } catch (err) {
      await target.ledger.markFailed(row.targetId, `purge: ${codeOf(err) ?? "error"}`);
      this.log.warn({ ...where, code: codeOf(err) }, "deleted objects not removed yet");
    }
  }

  private async tell(target: DeletionTarget, row: DeletionWork): Promise<void> {
    // An offline agent is told when its "online" status arrives (onStatus).
    if (!this.deps.commander.isOnline(row.deviceId)) return;
    const command = target.command(row);
    try {
      // One request id per attempt: the agent answers a repeated id from its cache, which would
      // replay an E_CONFLICT forever; a repeat of a delete that did happen finds nothing to do.
      const prefix = target.kind === "event" ? "evdel" : "recdel";
      await this.deps.commander.send(row.deviceId, command, {
        requestId: `${prefix}-${row.targetId}-${row.attempts}`,
      });
    } catch (err) {
      const code = codeOf(err);
      if (code === undefined || ASK_AGAIN.has(code)) {
        await target.ledger.markFailed(row.targetId, `agent: ${code ?? "error"}`);
        return;
      }
      // The agent answered (it may not know the target any more): it was told.
      this.log.info({ kind: target.kind, id: row.targetId, code }, `agent refused ${command.name}`);
    }
    await target.ledger.markTold(row.targetId, this.now());
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
