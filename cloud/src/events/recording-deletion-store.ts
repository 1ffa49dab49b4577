import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { EventsExtraTables } from "../db/schema-events.js";
import type { DeviceCommand } from "../rendezvous/context.js";
import { DeletionLedger, type DeletionWork } from "./deletion-ledger.js";
import type { DeletionTarget, StoredObject } from "./deletion-target.js";

// The database side of deleted recordings' follow-up work (`recording_deletions`, migration 0009).
// Only the clip is the recording's own: a thumbnail belongs to its event, which stays.

type Db = Kysely<CloudDatabase & EventsExtraTables>;

export class RecordingDeletionStore implements DeletionTarget {
  readonly kind = "recording";
  readonly ledger: DeletionLedger;
  private readonly db: Db;

  constructor(db: Kysely<CloudDatabase>) {
    this.db = db.withTables<EventsExtraTables>();
    this.ledger = new DeletionLedger(db, {
      table: "recording_deletions",
      idColumn: "recording_id",
      agentIdColumn: "agent_recording_id",
    });
  }

  command(work: DeletionWork): DeviceCommand {
    return { name: "recording.delete", args: { recordingId: work.agentId } };
  }

  async request(recordingId: string, now: number): Promise<void> {
    const recording = await this.db
      .selectFrom("recordings")
      .select(["device_id", "agent_recording_id"])
      .where("id", "=", recordingId)
      .where("deleted_at", "is not", null)
      .executeTakeFirst();
    if (!recording) return;
    await this.db
      .insertInto("recording_deletions")
      .values({
        recording_id: recordingId,
        device_id: recording.device_id,
        agent_recording_id: recording.agent_recording_id,
        requested_at: now,
        purged_at: null,
        agent_told_at: null,
        attempts: 0,
        last_error: null,
      })
      .onConflict((oc) => oc.column("recording_id").doNothing())
      .execute();
  }

  async adoptMissing(): Promise<void> {
    await this.db
      .insertInto("recording_deletions")
      .columns(["recording_id", "device_id", "agent_recording_id", "requested_at", "attempts"])
      .expression((eb) =>
        eb
          .selectFrom("recordings")
          .select([
            "recordings.id",
            "recordings.device_id",
            "recordings.agent_recording_id",
            "recordings.deleted_at",
          ])
          .select(eb.lit(0).as("attempts"))
          .where("recordings.deleted_at", "is not", null)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("recording_deletions")
                  .select("recording_deletions.recording_id")
                  .whereRef("recording_deletions.recording_id", "=", "recordings.id"),
              ),
            ),
          ),
      )
      .execute();
  }

  async objectsOf(recordingId: string): Promise<StoredObject[]> {
    const clip = await this.db
      .selectFrom("recordings")
      .select(["object_key", "provider_id"])
      .where("id", "=", recordingId)
      .executeTakeFirst();
    const uploads = await this.db
      .selectFrom("media_uploads")
      .select(["object_key", "provider_id", "upload_id"])
      .where("recording_id", "=", recordingId)
      .where("kind", "=", "clip")
      .execute();
    const objects: StoredObject[] = [];
    if (clip?.object_key) {
      objects.push({
        kind: "clip",
        ownerId: recordingId,
        key: clip.object_key,
        providerId: clip.provider_id,
      });
    }
    for (const u of uploads) {
      objects.push({
        kind: "clip",
        ownerId: recordingId,
        key: u.object_key,
        providerId: u.provider_id,
        ...(u.upload_id ? { uploadId: u.upload_id } : {}),
      });
    }
    return objects;
  }

  async markPurged(recordingId: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("recordings")
        .set({ object_key: null, provider_id: null })
        .where("id", "=", recordingId)
        .execute();
      await trx
        .deleteFrom("media_uploads")
        .where("recording_id", "=", recordingId)
        .where("kind", "=", "clip")
        .execute();
      await this.ledger.markPurged(trx, recordingId, now);
    });
  }
}
