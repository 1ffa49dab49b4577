import type { EventView } from "@homecam/shared";
import type { NotificationInput } from "./notification-service.js";

// The wording of the notifications the cloud raises itself. Titles name the camera or device:
// they are what a lock screen shows and an e-mail's subject.

/** "2025-01-02 03:04:05 UTC" */
function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A camera saw motion (to every grant holder). */
export function motionNotice(deviceId: string, event: EventView, cameraName: string): NotificationInput {
  return {
    type: "motion",
    priority: "medium",
    title: `Motion at ${cameraName}`,
    message: `Movement was detected by ${cameraName} at ${when(Date.parse(event.startedAt))}.`,
    metadata: { eventId: event.id, cameraId: event.cameraId, deviceId, cameraName },
    deviceId,
    cameraId: event.cameraId,
    eventId: event.id,
    dedupeKey: `motion:${event.id}`,
  };
}

/** A device lost its connection (to its owners). */
export function offlineNotice(deviceId: string, deviceName: string, at: number): NotificationInput {
  return {
    type: "system",
    priority: "high",
    title: `${deviceName} is offline`,
    message:
      `${deviceName} lost its connection to homecam at ${when(at)}. It keeps recording locally; ` +
      "live view and uploads resume when it reconnects.",
    metadata: { deviceId, reason: "offline" },
    deviceId,
  };
}

/** What is known of a clip that was lost. */
export interface LostClip {
  recordingId: string | null;
  cameraId: string | null;
  cameraName: string | null;
  startedAt: number | null;
  durationMs: number | null;
}

/** A clip was deleted on the device before it reached storage: the only copy is gone (owners). */
export function lostClipNotice(
  deviceId: string,
  agentRecordingId: string,
  reason: string,
  clip: LostClip,
): NotificationInput {
  const from = clip.cameraName ? ` from ${clip.cameraName}` : "";
  const recorded = clip.startedAt !== null ? ` recorded at ${when(clip.startedAt)}` : "";
  const seconds = clip.durationMs !== null ? `${Math.round(clip.durationMs / 1000)} s ` : "";
  return {
    type: "security",
    priority: "high",
    title: `A clip${from} was lost before upload`,
    message:
      `A ${seconds}clip${from}${recorded} was deleted on the camera host (${reason}) before it ` +
      "reached cloud storage: the only copy is gone. Check the device's disk space and upload settings.",
    metadata: {
      deviceId,
      cameraId: clip.cameraId,
      recordingId: clip.recordingId,
      agentRecordingId,
      reason,
    },
    deviceId,
    cameraId: clip.cameraId,
    // One per clip, whether the cloud hears of it by the warning, the deletion, or both.
    dedupeKey: `clip:${deviceId}:${agentRecordingId}`,
  };
}
