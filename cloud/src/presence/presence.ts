import { type MessageBody, messageTypesFor, parseMessage, parseTopic, TOPIC_ROOT } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import { grantedUserIds } from "../devices/grants.js";
import type { RendezvousContext, ViewerPush } from "../rendezvous/context.js";
import { KeyedQueue } from "./keyed-queue.js";
import { PresenceStore } from "./presence-store.js";

/** Told once per online → offline transition of a device seen online by this instance. */
export type OfflineListener = (deviceId: string) => void;

/** What presence needs from the broker. */
export type PresenceBroker = Pick<RunningBroker, "subscribe" | "onDeviceConnection">;

export interface PresenceDeps {
  ctx: Pick<RendezvousContext, "db" | "clock" | "log">;
  push: ViewerPush;
  /**
   * Several cloud instances share the broker bus (Redis). Then a device marked online may be
   * connected to another instance, so start-up does not reset it (aedes publishes the wills of a
   * dead instance's clients itself). Default false: one instance, whose broker state died with it.
   */
  sharedBus?: boolean;
  /**
   * A device marked online that shows no sign of life (status, telemetry, heartbeat) for this long
   * and is not connected is set offline — the HTTP heartbeat has no last will. Default 120 s.
   */
  silentAfterMs?: number;
  /** How often that is checked; 0 = never (tests call {@link Presence.sweep}). Default 30 s. */
  sweepIntervalMs?: number;
}

/**
 * Device presence: follows the devices' retained `status` (with its last will) and `telemetry`
 * topics, and the broker's connection events as a safety net; writes what it learns to the
 * database (so every instance answers the same) and pushes `device.status` / `device.telemetry`
 * to every user holding a grant on the device. Offline detection is aedes': a closed TCP
 * connection publishes the will at once, a silent one after 1.5 × its keep-alive.
 */
export class Presence {
  private readonly store: PresenceStore;
  private readonly log: Logger;
  private readonly queue = new KeyedQueue();
  /** Devices with an MQTT connection to this instance's broker. */
  private readonly connected = new Set<string>();
  /** The last state each device reported on its status topic (any instance, via the bus). */
  private readonly reported = new Map<string, "online" | "offline">();
  /** What was last pushed per device, so the will after a dropped connection is not pushed twice. */
  private readonly lastPushed = new Map<string, string>();
  /** The last status pushed per device, to tell an online → offline transition (notifications). */
  private readonly lastStatus = new Map<string, "online" | "offline">();
  private readonly offlineListeners = new Set<OfflineListener>();
  private readonly stops: Array<() => unknown> = [];
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: PresenceDeps) {
    this.store = new PresenceStore(deps.ctx.db);
    this.log = moduleLogger(deps.ctx.log, "presence");
  }

  /** Reset stale rows (see {@link PresenceDeps.sharedBus}), subscribe, start the sweep. */
  async start(broker: PresenceBroker): Promise<void> {
    if (!this.deps.sharedBus) {
      const reset = await this.store.resetOnline(this.now());
      if (reset > 0) this.log.info({ devices: reset }, "devices left online by the previous run set offline");
    }
    this.stops.push(broker.onDeviceConnection((id, up) => this.onConnection(id, up)));
    for (const section of ["status", "telemetry"]) {
      this.stops.push(
        await broker.subscribe(`${TOPIC_ROOT}/+/${section}`, (topic, payload) =>
          this.onMessage(topic, payload),
        ),
      );
    }
    const every = this.deps.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        this.sweep().catch((err: unknown) => this.log.error({ err }, "presence sweep failed"));
      }, every);
      this.sweepTimer.unref();
    }
  }

  /** True while the device is connected (here, or online on another instance sharing the bus). */
  isOnline(deviceId: string): boolean {
    const reported = this.reported.get(deviceId);
    return reported === "online" || (this.connected.has(deviceId) && reported !== "offline");
  }

  /**
   * The HTTP fallback of telemetry: same effect as a telemetry message, and the device is online.
   * Resolves with the time recorded; throws when the device is unknown.
   */
  heartbeat(deviceId: string, body: MessageBody<"device.telemetry">): Promise<number> {
    return this.queue.run(deviceId, async () => {
      const now = this.now();
      const previous = await this.store.applyTelemetry(deviceId, body, now, true);
      if (previous === null) throw new Error("heartbeat from an unknown device");
      await this.pushStatus(deviceId);
      await this.pushTelemetry(deviceId, body);
      return now;
    });
  }

  /** Set offline the devices marked online that went silent (see {@link PresenceDeps.silentAfterMs}). */
  async sweep(): Promise<string[]> {
    const silent = await this.store.silentOnline(this.now() - (this.deps.silentAfterMs ?? 120_000));
    const swept = silent.filter((id) => !this.isOnline(id));
    await Promise.all(swept.map((id) => this.enqueueOffline(id)));
    return swept;
  }

  /** Be told when a device goes from online to offline (once per transition); returns the remover. */
  onOffline(listener: OfflineListener): () => void {
    this.offlineListeners.add(listener);
    return () => {
      this.offlineListeners.delete(listener);
    };
  }

  /** Resolves when every message received so far has been written and pushed (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Unsubscribe, stop the sweep, finish queued work. */
  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    for (const stop of this.stops.splice(0)) await stop();
    await this.queue.idle();
  }

  private onConnection(deviceId: string, up: boolean): void {
    // A new connection has not reported yet; a closed one's report is void.
    this.reported.delete(deviceId);
    if (up) {
      this.connected.add(deviceId);
      return;
    }
    this.connected.delete(deviceId);
    // Safety net for a connection that ended without an "offline" status (clean DISCONNECT without
    // one, a refused will): the row must not stay online.
    void this.enqueueOffline(deviceId);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed || (parsed.kind !== "status" && parsed.kind !== "telemetry")) return;
    const result = parseMessage(payload, messageTypesFor(parsed));
    if (!result.ok) {
      this.log.warn({ deviceId: parsed.deviceId, kind: parsed.kind, error: result.error }, "message dropped");
      return;
    }
    const { deviceId } = parsed;
    const message = result.message;
    if (message.type === "device.status") {
      this.reported.set(deviceId, message.body.state);
      this.enqueue(deviceId, async () => {
        if (await this.store.applyStatus(deviceId, message.body, this.now())) await this.pushStatus(deviceId);
      });
    } else if (message.type === "device.telemetry") {
      this.enqueue(deviceId, async () => {
        if ((await this.store.applyTelemetry(deviceId, message.body, this.now())) === null) return;
        await this.pushStatus(deviceId);
        await this.pushTelemetry(deviceId, message.body);
      });
    }
  }

  private enqueueOffline(deviceId: string): Promise<void> {
    return this.enqueue(deviceId, async () => {
      if (await this.store.markOffline(deviceId, this.now())) await this.pushStatus(deviceId);
    });
  }

  private enqueue(deviceId: string, job: () => Promise<void>): Promise<void> {
    return this.queue.run(deviceId, job).catch((err: unknown) => {
      this.log.error({ err, deviceId }, "presence update failed");
    });
  }

  /** Push the device's status as the database has it, unless it is what was pushed last. */
  private async pushStatus(deviceId: string): Promise<void> {
    const event = await this.store.statusEvent(deviceId, this.now());
    if (!event) return;
    this.noticeTransition(deviceId, event.status);
    const key = JSON.stringify([event.status, event.cameras]);
    if (this.lastPushed.get(deviceId) === key) return;
    this.lastPushed.set(deviceId, key);
    const users = await grantedUserIds(this.deps.ctx.db, deviceId);
    if (users.length > 0) this.deps.push.toUsers(users, event);
  }

  private noticeTransition(deviceId: string, status: "online" | "offline"): void {
    const before = this.lastStatus.get(deviceId);
    this.lastStatus.set(deviceId, status);
    if (status !== "offline" || before !== "online") return;
    for (const listener of this.offlineListeners) {
      try {
        listener(deviceId);
      } catch (err) {
        this.log.error({ err, deviceId }, "offline listener failed");
      }
    }
  }

  /** Push a telemetry sample, with the agent's camera ids replaced by the cloud's. */
  private async pushTelemetry(deviceId: string, body: MessageBody<"device.telemetry">): Promise<void> {
    const users = await grantedUserIds(this.deps.ctx.db, deviceId);
    if (users.length === 0) return;
    const ids = await this.store.cloudCameraIds(deviceId);
    const cameras = body.cameras.flatMap((c) => {
      const id = ids.get(c.id);
      // A camera the cloud does not know (not registered, or removed) is not the viewer's business.
      return id === undefined ? [] : [{ ...c, id }];
    });
    this.deps.push.toUsers(users, {
      type: "device.telemetry",
      deviceId,
      at: this.now(),
      telemetry: { ...body, cameras },
    });
  }

  private now(): number {
    return this.deps.ctx.clock.now();
  }
}
