import { EventEmitter } from "node:events";
import type { EventView, MessageBody, RecordingView } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";

// In-process signals of the event index, emitted after the database transaction committed, so a
// listener (notifications, storage clean-up, telling the agent) never sees a fact that was rolled
// back, and sees each fact once however often the agent delivered it.

/** Every signal and its argument. */
export interface EventIndexSignalMap {
  /** The cloud learnt of a new, still open event. */
  eventStarted: { deviceId: string; event: EventView };
  /** An open event got a new score, boxes or thumbnail. */
  eventUpdated: { deviceId: string; event: EventView };
  /** An event ended (once per event, even when `event.ended` came first). */
  eventEnded: { deviceId: string; event: EventView };
  /** A segment is on the agent's disk. */
  recordingReady: { deviceId: string; recording: RecordingView };
  /** A clip or thumbnail reached storage (the key is under the device's prefix). */
  uploadDone: { deviceId: string; recording: RecordingView; kind: "clip" | "thumbnail"; objectKey: string };
  /** The agent removed its local copy of a clip. */
  clipDeleted: { deviceId: string; recording: RecordingView; reason: string; uploaded: boolean };
  /** A clip is about to be removed before it could be uploaded (`recording` null when unknown). */
  retentionWarning: {
    deviceId: string;
    recording: RecordingView | null;
    body: MessageBody<"retention.warning">;
  };
  /**
   * An owner deleted an event (soft delete). The hook for removing its stored objects and telling
   * the agent: neither is done by the event index itself.
   */
  eventDeleted: { deviceId: string; event: EventView; byUserId: string };
  /** An owner deleted one recording (soft delete); the same hook as `eventDeleted`, for its clip. */
  recordingDeleted: { deviceId: string; recording: RecordingView; byUserId: string };
}

/** Name of a signal. */
export type EventIndexSignal = keyof EventIndexSignalMap;

/** Typed wrapper over an EventEmitter; a throwing listener is logged, never thrown to the emitter. */
export class EventIndexSignals {
  private readonly emitter = new EventEmitter();

  constructor(private readonly log: Logger) {
    // One listener per interested module; more is not a leak.
    this.emitter.setMaxListeners(50);
  }

  /** Listen to `name`; returns the remover. */
  on<K extends EventIndexSignal>(name: K, listener: (arg: EventIndexSignalMap[K]) => void): () => void {
    const safe = (arg: EventIndexSignalMap[K]) => {
      try {
        listener(arg);
      } catch (err) {
        this.log.error({ err, signal: name }, "event index listener failed");
      }
    };
    this.emitter.on(name, safe);
    return () => this.emitter.off(name, safe);
  }

  /** Emit `name` to every listener, synchronously. */
  emit<K extends EventIndexSignal>(name: K, arg: EventIndexSignalMap[K]): void {
    this.emitter.emit(name, arg);
  }
}
