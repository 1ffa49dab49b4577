import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { StorageExtraTables } from "../db/schema-storage.js";
import type { DeviceCommand } from "../rendezvous/context.js";
import { DeletionLedger, type DeletionWork } from "./deletion-ledger.js";
import type { DeletionTarget, StoredObject } from "./deletion-target.js";

// The database side of deleted events' follow-up work (`event_deletions`, migration 0008).

type Db = Kysely<CloudDatabase & StorageExtraTables>;

export class EventDeletionStore implements DeletionTarget {
  readonly kind = "event";
  readonly ledger: DeletionLedger;
  private readonly db: Db;

  constructor(db: Kysely<CloudDatabase>) {
    this.db = db.withTables<StorageExtraTables>();
    this.ledger = new DeletionLedger(db, {
      table: "event_deletions",
      idColumn: "event_id",
      agentIdColumn: "agent_event_id",
    });
  }

  command(work: DeletionWork): DeviceCommand {
    return { name: "event.delete", args: { eventId: work.agentId } };
  }

  /** Note the follow-up of a deleted event (once; a repeat changes nothing). */
  async request(eventId: string, now: number): Promise<void> {
    const event = await this.db
      .selectFrom("events")
      .select(["device_id", "agent_event_id"])
      .where("id", "=", eventId)
      .where("deleted_at", "is not", null)
      .executeTakeFirst();
    if (!event) return;
    await this.db
      .insertInto("event_deletions")
      .values({
        event_id: eventId,
        device_id: event.device_id,
        agent_event_id: event.agent_event_id,
        requested_at: now,
        purged_at: null,
        agent_told_at: null,
        attempts: 0,
        last_error: null,
      })
      .onConflict((oc) => oc.column("event_id").doNothing())
      .execute();
  }

  /** Rows for deleted events that have none (the process stopped between delete and signal). */
  async adoptMissing(): Promise<void> {
    await this.db
      .insertInto("event_deletions")
      .columns(["event_id", "device_id", "agent_event_id", "requested_at", "attempts"])
      .expression((eb) =>
        eb
          .selectFrom("events")
          .select(["events.id", "events.device_id", "events.agent_event_id", "events.deleted_at"])
          .select(eb.lit(0).as("attempts"))
          .where("events.deleted_at", "is not", null)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("event_deletions")
                  .select("event_deletions.event_id")
                  .whereRef("event_deletions.event_id", "=", "events.id"),
              ),
            ),
          ),
      )
      .execute();
  }

  /** Every object of the event still referenced by the index, including unfinished uploads. */
  async objectsOf(eventId: string): Promise<StoredObject[]> {
    const clips = await this.db
      .selectFrom("recordings")
      .select(["id", "object_key", "provider_id"])
      .where("event_id", "=", eventId)
      .where("object_key", "is not", null)
      .execute();
    const event = await this.db
      .selectFrom("events")
      .select(["thumbnail_key", "thumbnail_provider_id"])
      .where("id", "=", eventId)
      .executeTakeFirst();
    const uploads = await this.db
      .selectFrom("media_uploads")
      .innerJoin("recordings", "recordings.id", "media_uploads.recording_id")
      .select([
        "media_uploads.recording_id",
        "media_uploads.kind",
        "media_uploads.object_key",
        "media_uploads.provider_id",
        "media_uploads.upload_id",
      ])
      .where("recordings.event_id", "=", eventId)
      .execute();
    const objects: StoredObject[] = clips.map((c) => ({
      kind: "clip",
      ownerId: c.id,
      key: c.object_key ?? "",
      providerId: c.provider_id,
    }));
    if (event?.thumbnail_key) {
      objects.push({
        kind: "thumbnail",
        ownerId: eventId,
        key: event.thumbnail_key,
        providerId: event.thumbnail_provider_id,
      });
    }
    for (const u of uploads) {
      objects.push({
        kind: u.kind,
        ownerId: u.recording_id,
        key: u.object_key,
        providerId: u.provider_id,
        ...(u.upload_id ? { uploadId: u.upload_id } : {}),
      });
    }
    return objects;
  }

  /** The event's objects are gone: clear their keys and its unfinished uploads, mark it purged. */
  async markPurged(eventId: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("recordings")
        .set({ object_key: null, provider_id: null })
        .where("event_id", "=", eventId)
        .execute();
      await trx
        .updateTable("events")
        .set({ thumbnail_key: null, thumbnail_provider_id: null })
        .where("id", "=", eventId)
        .execute();
      await trx
        .deleteFrom("media_uploads")
        .where("recording_id", "in", (eb) =>
          eb.selectFrom("recordings").select("id").where("event_id", "=", eventId),
        )
        .execute();
      await this.ledger.markPurged(trx, eventId, now);
    });
  }
}
