import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { EventIndexSignalMap, EventIndexSignals } from "../events/event-signals.js";
import { KeyedQueue } from "../presence/keyed-queue.js";
import type { Clock } from "../security/clock.js";
import { lostClipNotice, motionNotice, offlineNotice } from "./notices.js";
import type { NotificationService } from "./notification-service.js";
import { motionRecipients, ownerRecipients } from "./recipients.js";

/** What the triggers need from presence: a hook per online → offline transition. */
export interface OfflineSource {
  onOffline(listener: (deviceId: string) => void): () => void;
}

export interface NotificationTriggersDeps {
  db: Kysely<CloudDatabase>;
  clock: Clock;
  log: Logger;
  service: NotificationService;
  /** No second motion notification for the same user and camera within this. */
  motionCooldownMs: number;
}

/** The agent's reason when the owner deleted the clip (agent/src/cloud/event-deletion.ts). */
const OWNER_DELETE_REASON = "owner";

/**
 * Turns facts into notifications: motion (event index), device offline (presence), a clip lost
 * before it was uploaded (event index). Work is queued per camera / device, so two motion events of
 * one camera arriving together see each other's notifications for the cooldown. A failure is
 * logged; it never reaches the signal's emitter.
 */
export class NotificationTriggers {
  private readonly log: Logger;
  private readonly queue = new KeyedQueue();
  private readonly stops: Array<() => void> = [];

  constructor(private readonly deps: NotificationTriggersDeps) {
    this.log = moduleLogger(deps.log, "notification-triggers");
  }

  /** Listen to the event index signals and, when given, to presence. */
  attach(signals: EventIndexSignals, presence: OfflineSource | null): void {
    this.stops.push(
      signals.on("eventStarted", (arg) =>
        this.enqueue(`camera:${arg.event.cameraId}`, () => this.motion(arg)),
      ),
    );
    this.stops.push(
      signals.on("clipDeleted", (arg) => {
        if (arg.uploaded || arg.reason === OWNER_DELETE_REASON) return;
        this.enqueue(`device:${arg.deviceId}`, () =>
          this.lostClip(arg.deviceId, { recordingId: arg.recording.id }, arg.reason),
        );
      }),
    );
    this.stops.push(
      signals.on("retentionWarning", (arg) =>
        this.enqueue(`device:${arg.deviceId}`, () =>
          this.lostClip(
            arg.deviceId,
            arg.recording ? { recordingId: arg.recording.id } : { agentRecordingId: arg.body.recordingId },
            arg.body.reason,
          ),
        ),
      ),
    );
    if (presence) {
      this.stops.push(
        presence.onOffline((deviceId) => this.enqueue(`device:${deviceId}`, () => this.offline(deviceId))),
      );
    }
  }

  /** Resolves when every queued trigger has written its notifications (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stop listening and finish queued work. */
  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    await this.queue.idle();
  }

  private enqueue(key: string, job: () => Promise<void>): void {
    this.queue
      .run(key, job)
      .catch((err: unknown) => this.log.error({ err, key }, "notification trigger failed"));
  }

  private async motion({ deviceId, event }: EventIndexSignalMap["eventStarted"]): Promise<void> {
    if (event.type !== "motion") return;
    const { db, clock, service } = this.deps;
    const camera = await db
      .selectFrom("cameras")
      .select(["name"])
      .where("id", "=", event.cameraId)
      .executeTakeFirst();
    if (!camera) return;
    const users = await motionRecipients(db, deviceId);
    const cooling = await service.store.recentlyNotified(
      users,
      event.cameraId,
      "motion",
      clock.now() - this.deps.motionCooldownMs,
    );
    const due = users.filter((u) => !cooling.has(u));
    if (due.length === 0) return;
    await service.notify(due, motionNotice(deviceId, event, camera.name));
  }

  private async offline(deviceId: string): Promise<void> {
    const { db, service } = this.deps;
    const device = await db
      .selectFrom("devices")
      .select(["name"])
      .where("id", "=", deviceId)
      .executeTakeFirst();
    if (!device) return;
    await service.notify(
      await ownerRecipients(db, deviceId),
      offlineNotice(deviceId, device.name, this.deps.clock.now()),
    );
  }

  private async lostClip(
    deviceId: string,
    ref: { recordingId: string } | { agentRecordingId: string },
    reason: string,
  ): Promise<void> {
    const { db, service } = this.deps;
    let q = db
      .selectFrom("recordings")
      .innerJoin("cameras", "cameras.id", "recordings.camera_id")
      .select([
        "recordings.id",
        "recordings.agent_recording_id",
        "recordings.camera_id",
        "recordings.started_at",
        "recordings.duration_ms",
        "cameras.name",
      ])
      .where("recordings.device_id", "=", deviceId);
    q =
      "recordingId" in ref
        ? q.where("recordings.id", "=", ref.recordingId)
        : q.where("recordings.agent_recording_id", "=", ref.agentRecordingId);
    const clip = await q.executeTakeFirst();
    const agentRecordingId =
      clip?.agent_recording_id ?? ("agentRecordingId" in ref ? ref.agentRecordingId : null);
    if (agentRecordingId === null) return;
    const owners = await ownerRecipients(db, deviceId);
    await service.notify(
      owners,
      lostClipNotice(deviceId, agentRecordingId, reason, {
        recordingId: clip?.id ?? null,
        cameraId: clip?.camera_id ?? null,
        cameraName: clip?.name ?? null,
        startedAt: clip?.started_at ?? null,
        durationMs: clip?.duration_ms ?? null,
      }),
    );
  }
}
