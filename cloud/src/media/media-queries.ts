import { ApiError } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase, RecordingsTable } from "../db/schema.js";
import type { RecordingKeyParts } from "./media-keys.js";

/** A device's recording with what its object keys are made of. */
export interface DeviceRecording {
  recording: RecordingsTable;
  keyParts: RecordingKeyParts;
}

/**
 * The recording the calling device announced (`recording.ready`) under `agentRecordingId`, or a
 * 404: a device presigns and confirms only its own indexed recordings, and another device's
 * recording looks exactly like one that does not exist. So does a recording of an event its owner
 * deleted, or a clip its owner deleted: its objects are being removed, nothing more is uploaded.
 */
export async function requireDeviceRecording(
  db: Kysely<CloudDatabase>,
  deviceId: string,
  agentRecordingId: string,
): Promise<DeviceRecording> {
  const row = await db
    .selectFrom("recordings")
    .innerJoin("cameras", "cameras.id", "recordings.camera_id")
    .leftJoin("events", "events.id", "recordings.event_id")
    .selectAll("recordings")
    .select(["cameras.local_id as camera_local_id", "events.deleted_at as event_deleted_at"])
    .where("recordings.device_id", "=", deviceId)
    .where("recordings.agent_recording_id", "=", agentRecordingId)
    .executeTakeFirst();
  // A deleted clip (or a clip of a deleted event) takes no more uploads: its objects are being removed.
  if (!row || row.event_deleted_at !== null || row.deleted_at !== null) {
    throw new ApiError("E_NOT_FOUND", "no such recording");
  }
  const { camera_local_id, event_deleted_at: _deleted, ...recording } = row;
  return {
    recording,
    keyParts: {
      deviceId,
      cameraLocalId: camera_local_id,
      startedAt: recording.started_at,
      agentRecordingId: recording.agent_recording_id,
    },
  };
}

/** The recording's `object_key` as stored now (after an upload was applied). */
export async function storedObjectKey(
  db: Kysely<CloudDatabase>,
  recordingId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom("recordings")
    .select("object_key")
    .where("id", "=", recordingId)
    .executeTakeFirst();
  return row?.object_key ?? null;
}
