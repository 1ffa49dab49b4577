import { type Kysely, sql } from "kysely";

// Storage providers, users' own buckets, uploads in flight, the provider of every stored object,
// and the follow-up work of deleted events (issue 7 §4–5). Portable column rules: see ../schema.ts.

const flag = (name: string) => sql`${sql.ref(name)} in (0, 1)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("storage_providers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("driver", "text", (c) => c.notNull().check(sql`driver in ('fs', 's3')`))
    .addColumn("endpoint", "text")
    .addColumn("bucket", "text")
    .addColumn("region", "text")
    .addColumn("force_path_style", "integer", (c) => c.notNull().defaultTo(0).check(flag("force_path_style")))
    // AES-256-GCM sealed JSON (providers/credential-sealer.ts); never returned, never logged.
    .addColumn("credentials_sealed", "text")
    .addColumn("allow_videos", "integer", (c) => c.notNull().defaultTo(1).check(flag("allow_videos")))
    .addColumn("allow_images", "integer", (c) => c.notNull().defaultTo(1).check(flag("allow_images")))
    .addColumn("is_active", "integer", (c) => c.notNull().defaultTo(1).check(flag("is_active")))
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0).check(flag("is_default")))
    .addColumn("settings_json", "text")
    .addColumn("owner_user_id", "text", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  // At most one default provider, enforced by the database even under concurrent PATCHes.
  await db.schema
    .createIndex("storage_providers_one_default_uq")
    .on("storage_providers")
    .column("is_default")
    .unique()
    .where(sql.ref("is_default"), "=", 1)
    .execute();

  await db.schema
    .createTable("user_providers")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("provider_id", "text", (c) => c.notNull().references("storage_providers.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("media_uploads")
    .addColumn("recording_id", "text", (c) => c.notNull().references("recordings.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('clip', 'thumbnail')`))
    .addColumn("provider_id", "text", (c) => c.references("storage_providers.id"))
    .addColumn("object_key", "text", (c) => c.notNull())
    .addColumn("upload_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("media_uploads_pk", ["recording_id", "kind"])
    .execute();

  // Where each stored object was written (null = the deployment's configured store). No foreign
  // key: SQLite cannot drop a column that has one (down()); the provider service refuses to delete
  // a provider that objects still reference instead.
  await db.schema.alterTable("recordings").addColumn("provider_id", "text").execute();
  await db.schema.alterTable("events").addColumn("thumbnail_provider_id", "text").execute();
  await db.schema.createIndex("recordings_provider_idx").on("recordings").columns(["provider_id"]).execute();
  await db.schema
    .createIndex("events_thumbnail_provider_idx")
    .on("events")
    .columns(["thumbnail_provider_id"])
    .execute();

  // A deleted event's follow-up: its stored objects removed, and its agent told (once, even when
  // the agent was offline at the time). A row per deleted event; done when both times are set.
  await db.schema
    .createTable("event_deletions")
    .addColumn("event_id", "text", (c) => c.primaryKey().references("events.id").onDelete("cascade"))
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("agent_event_id", "text", (c) => c.notNull())
    .addColumn("requested_at", "bigint", (c) => c.notNull())
    .addColumn("purged_at", "bigint")
    .addColumn("agent_told_at", "bigint")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  await db.schema
    .createIndex("event_deletions_device_idx")
    .on("event_deletions")
    .columns(["device_id", "agent_told_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("event_deletions").execute();
  await db.schema.dropIndex("events_thumbnail_provider_idx").execute();
  await db.schema.dropIndex("recordings_provider_idx").execute();
  await db.schema.alterTable("events").dropColumn("thumbnail_provider_id").execute();
  await db.schema.alterTable("recordings").dropColumn("provider_id").execute();
  await db.schema.dropTable("media_uploads").execute();
  await db.schema.dropTable("user_providers").execute();
  await db.schema.dropTable("storage_providers").execute();
}
