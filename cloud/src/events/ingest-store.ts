import type { MessageBody } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase, EventsTable, RecordingsTable } from "../db/schema.js";
import type { EventsExtraTables } from "../db/schema-events.js";
import {
  cameraOf,
  Dropped,
  type EventMessage,
  type IngestEffect,
  isDeviceKey,
  newId,
  type Tx,
} from "./ingest-types.js";

// The database side of ingesting agent facts. Every message is applied in ONE transaction with the
// insert of its frame id into `ingested_messages`: a redelivered frame finds its id and changes
// nothing, and a message that is dropped (unknown camera…) rolls back, leaving its id free.

export { type EventMessage, type IngestEffect, isDeviceKey } from "./ingest-types.js";

type EventBody = MessageBody<"event.started">;

/** Applies agent facts to `events`, `recordings` and `ingested_messages`. */
export class IngestStore {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  /** Apply `message` from `deviceId` at cloud time `now`, exactly once per frame id. */
  async apply(deviceId: string, message: EventMessage, now: number): Promise<IngestEffect> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto("ingested_messages")
          .values({ device_id: deviceId, message_id: message.id, received_at: now })
          .onConflict((oc) => oc.columns(["device_id", "message_id"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new Dropped("duplicate");
        return await this.applyIn(trx, deviceId, message, now);
      });
    } catch (err) {
      if (err instanceof Dropped) return { applied: false, reason: err.reason };
      throw err;
    }
  }

  /** Forget frame ids received before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom("ingested_messages")
      .where("received_at", "<", before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private applyIn(trx: Tx, deviceId: string, message: EventMessage, now: number): Promise<IngestEffect> {
    switch (message.type) {
      case "event.started":
      case "event.updated":
      case "event.ended":
        return this.applyEvent(trx, deviceId, message.body, message.type === "event.ended", now);
      case "recording.ready":
        return this.applyRecording(trx, deviceId, message.body, now);
      case "upload.done":
        return this.applyUpload(trx, deviceId, message.body, now);
      case "clip.deleted":
        return this.applyClipDeleted(trx, deviceId, message.body, now);
      case "retention.warning":
        return this.recordingOf(trx, deviceId, message.body.recordingId).then((recording) => ({
          applied: true as const,
          kind: "warning" as const,
          recording: recording ?? null,
        }));
    }
  }

  /**
   * Upsert an event. Once ended, only another `event.ended` changes it: a late `event.updated`
   * (at-least-once delivery across two topics) must not reopen it or roll its score back.
   */
  private async applyEvent(
    trx: Tx,
    deviceId: string,
    body: EventBody,
    ends: boolean,
    now: number,
  ): Promise<IngestEffect> {
    const cameraId = await cameraOf(trx, deviceId, body.cameraId);
    const thumbnail =
      body.thumbnailKey !== undefined && isDeviceKey(deviceId, body.thumbnailKey)
        ? body.thumbnailKey
        : undefined;
    const existing = await trx
      .selectFrom("events")
      .selectAll()
      .where("device_id", "=", deviceId)
      .where("agent_event_id", "=", body.eventId)
      .executeTakeFirst();
    if (!existing) {
      const id = newId();
      await trx
        .insertInto("events")
        .values({
          id,
          device_id: deviceId,
          agent_event_id: body.eventId,
          camera_id: cameraId,
          type: body.type,
          started_at: body.startedAt,
          ended_at: ends ? (body.endedAt ?? null) : null,
          duration_ms: ends ? (body.durationMs ?? null) : null,
          score: body.score,
          boxes_json: JSON.stringify(body.boxes ?? []),
          thumbnail_key: thumbnail ?? null,
          is_pinned: 0,
          acknowledged: 0,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute();
      // Segments that arrived before their event were parked with the agent's event id.
      await trx
        .updateTable("recordings")
        .set({ event_id: id })
        .where("device_id", "=", deviceId)
        .where("agent_event_id", "=", body.eventId)
        .where("event_id", "is", null)
        .execute();
      return {
        applied: true,
        kind: "event",
        change: ends ? "ended" : "created",
        event: await this.event(trx, id),
      };
    }
    const wasEnded = existing.ended_at !== null;
    const patch: Partial<EventsTable> = {};
    if (!wasEnded || ends) {
      patch.score = Math.max(existing.score, body.score);
      if (body.boxes !== undefined) patch.boxes_json = JSON.stringify(body.boxes);
      if (ends) {
        patch.ended_at = body.endedAt ?? null;
        patch.duration_ms = body.durationMs ?? null;
      }
    }
    if (thumbnail !== undefined && (existing.thumbnail_key === null || !wasEnded || ends)) {
      patch.thumbnail_key = thumbnail;
    }
    if (Object.keys(patch).length === 0) {
      return { applied: true, kind: "event", change: "none", event: existing };
    }
    await trx
      .updateTable("events")
      .set({ ...patch, updated_at: now })
      .where("id", "=", existing.id)
      .execute();
    const change = ends && !wasEnded ? "ended" : "updated";
    return { applied: true, kind: "event", change, event: await this.event(trx, existing.id) };
  }

  /** Index a segment; linked to its event when known, parked on the agent's event id otherwise. */
  private async applyRecording(
    trx: Tx,
    deviceId: string,
    body: MessageBody<"recording.ready">,
    now: number,
  ): Promise<IngestEffect> {
    const cameraId = await cameraOf(trx, deviceId, body.cameraId);
    // A second frame for the same segment (an agent re-queuing it under a new id) adds nothing.
    if (await this.recordingOf(trx, deviceId, body.recordingId)) throw new Dropped("already indexed");
    const event =
      body.eventId === null
        ? undefined
        : await trx
            .selectFrom("events")
            .select("id")
            .where("device_id", "=", deviceId)
            .where("agent_event_id", "=", body.eventId)
            .executeTakeFirst();
    const id = newId();
    await trx
      .insertInto("recordings")
      .values({
        id,
        device_id: deviceId,
        agent_recording_id: body.recordingId,
        agent_event_id: body.eventId,
        event_id: event?.id ?? null,
        camera_id: cameraId,
        idx: body.index,
        started_at: body.startedAt,
        ended_at: body.endedAt,
        duration_ms: body.durationMs,
        size_bytes: body.sizeBytes,
        format: body.format,
        sha256: body.sha256 ?? null,
        object_key: null,
        uploaded_at: null,
        local_deleted_at: null,
        note: null,
        created_at: now,
        deleted_at: null,
      })
      .execute();
    const recording = await trx
      .selectFrom("recordings")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return { applied: true, kind: "recording", change: "ready", recording };
  }

  /** A clip's object key (or its event's thumbnail), only under the device's own prefix. */
  private async applyUpload(
    trx: Tx,
    deviceId: string,
    body: MessageBody<"upload.done">,
    now: number,
  ): Promise<IngestEffect> {
    if (!isDeviceKey(deviceId, body.objectKey)) throw new Dropped("foreign object key");
    const recording = await this.recordingOf(trx, deviceId, body.recordingId);
    if (!recording) throw new Dropped("unknown recording");
    if (body.kind === "thumbnail") {
      if (recording.event_id !== null) {
        await trx
          .updateTable("events")
          .set({ thumbnail_key: body.objectKey, updated_at: now })
          .where("id", "=", recording.event_id)
          .execute();
      }
      return { applied: true, kind: "thumbnail", recording };
    }
    await trx
      .updateTable("recordings")
      .set({ object_key: body.objectKey, uploaded_at: now })
      .where("id", "=", recording.id)
      .execute();
    if (recording.deleted_at !== null) {
      // Uploaded in the moment its owner deleted it: the deletion's next sweep removes it again.
      await trx
        .withTables<EventsExtraTables>()
        .updateTable("recording_deletions")
        .set({ purged_at: null })
        .where("recording_id", "=", recording.id)
        .execute();
    }
    const updated = await this.recordingOf(trx, deviceId, body.recordingId);
    return { applied: true, kind: "recording", change: "uploaded", recording: updated ?? recording };
  }

  private async applyClipDeleted(
    trx: Tx,
    deviceId: string,
    body: MessageBody<"clip.deleted">,
    now: number,
  ): Promise<IngestEffect> {
    const recording = await this.recordingOf(trx, deviceId, body.recordingId);
    if (!recording) throw new Dropped("unknown recording");
    await trx
      .updateTable("recordings")
      .set({ local_deleted_at: now })
      .where("id", "=", recording.id)
      .where("local_deleted_at", "is", null)
      .execute();
    const updated = await this.recordingOf(trx, deviceId, body.recordingId);
    return { applied: true, kind: "recording", change: "deleted", recording: updated ?? recording };
  }

  private recordingOf(
    trx: Tx,
    deviceId: string,
    agentRecordingId: string,
  ): Promise<RecordingsTable | undefined> {
    return trx
      .selectFrom("recordings")
      .selectAll()
      .where("device_id", "=", deviceId)
      .where("agent_recording_id", "=", agentRecordingId)
      .executeTakeFirst();
  }

  private event(trx: Tx, id: string): Promise<EventsTable> {
    return trx.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  }
}
