import { boxSchema, type EventView, type RecordingView } from "@homecam/shared";
import { z } from "zod";
import { fromFlag } from "../db/portable.js";
import type { EventsTable, RecordingsTable } from "../db/schema.js";
import { iso } from "../devices/views.js";

// Rows of the event index → the REST views of shared/src/api/events.ts.

const boxesSchema = z.array(boxSchema);

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** The boxes column back as boxes; a row written by this code always parses. */
function boxes(json: string): EventView["boxes"] {
  const parsed = boxesSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : [];
}

/** An event row as its view. */
export function eventView(row: EventsTable): EventView {
  return {
    id: row.id,
    deviceId: row.device_id,
    cameraId: row.camera_id,
    type: row.type,
    startedAt: iso(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    durationMs: row.duration_ms,
    score: row.score,
    boxes: boxes(row.boxes_json),
    thumbnailKey: row.thumbnail_key,
    isPinned: fromFlag(row.is_pinned),
    acknowledged: fromFlag(row.acknowledged),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** A recording row as its view. */
export function recordingView(row: RecordingsTable): RecordingView {
  return {
    id: row.id,
    deviceId: row.device_id,
    cameraId: row.camera_id,
    eventId: row.event_id,
    index: row.idx,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    durationMs: row.duration_ms,
    sizeBytes: row.size_bytes,
    format: row.format,
    sha256: row.sha256,
    objectKey: row.object_key,
    uploaded: row.uploaded_at !== null,
    uploadedAt: isoOrNull(row.uploaded_at),
    localDeletedAt: isoOrNull(row.local_deleted_at),
    note: row.note,
    createdAt: iso(row.created_at),
  };
}
