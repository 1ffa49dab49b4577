import type { MediaKind } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { CloudDatabase } from "../db/schema.js";
import type { StorageProvidersTable } from "../db/schema-storage.js";

// The database side of storage providers: rows only, no rules (those are in provider-service.ts).

export type Db = Kysely<CloudDatabase>;

/** The flag column that says whether a provider takes objects of `kind`. */
export function allowColumn(kind: MediaKind): "allow_videos" | "allow_images" {
  return kind === "clip" ? "allow_videos" : "allow_images";
}

export function providerById(db: Db, id: string): Promise<StorageProvidersTable | undefined> {
  return db.selectFrom("storage_providers").selectAll().where("id", "=", id).executeTakeFirst();
}

export function providerByName(db: Db, name: string): Promise<StorageProvidersTable | undefined> {
  return db.selectFrom("storage_providers").selectAll().where("name", "=", name).executeTakeFirst();
}

/** Every provider, admins' first, then by name. */
export function allProviders(db: Db): Promise<StorageProvidersTable[]> {
  return db
    .selectFrom("storage_providers")
    .selectAll()
    .orderBy("owner_user_id", "desc")
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** The active provider a user chose for their devices, if any (whatever kinds it allows). */
export function ownProviderOf(db: Db, userId: string): Promise<StorageProvidersTable | undefined> {
  return db
    .selectFrom("user_providers")
    .innerJoin("storage_providers", "storage_providers.id", "user_providers.provider_id")
    .selectAll("storage_providers")
    .where("user_providers.user_id", "=", userId)
    .where("storage_providers.is_active", "=", 1)
    .executeTakeFirst();
}

/** The provider row a user's link points at (active or not). */
export async function linkedProviderId(db: Db, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("user_providers")
    .select("provider_id")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.provider_id;
}

/** The admin's active default provider, when it takes objects of `kind`. */
export function defaultProviderFor(db: Db, kind: MediaKind): Promise<StorageProvidersTable | undefined> {
  return db
    .selectFrom("storage_providers")
    .selectAll()
    .where("is_default", "=", 1)
    .where("is_active", "=", 1)
    .where("owner_user_id", "is", null)
    .where(allowColumn(kind), "=", 1)
    .executeTakeFirst();
}

/** The owner of a device (the user whose provider its uploads go to), if it has one. */
export async function deviceOwner(db: Db, deviceId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("device_grants")
    .select("user_id")
    .where("device_id", "=", deviceId)
    .where("role", "=", "owner")
    .executeTakeFirst();
  return row?.user_id;
}

/**
 * True while anything still lives in (or is being uploaded to) the provider: a clip, a thumbnail,
 * an upload between presign and complete. Such a row must stay so those objects stay readable.
 */
export async function holdsObjects(db: Db, providerId: string): Promise<boolean> {
  const [clip, thumb, upload] = await Promise.all([
    db
      .selectFrom("recordings")
      .select("id")
      .where("provider_id", "=", providerId)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("events")
      .select("id")
      .where("thumbnail_provider_id", "=", providerId)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("media_uploads")
      .select("recording_id")
      .where("provider_id", "=", providerId)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return Boolean(clip ?? thumb ?? upload);
}

/** True when a user links to the provider. */
export async function isLinked(db: Db, providerId: string): Promise<boolean> {
  const row = await db
    .selectFrom("user_providers")
    .select("user_id")
    .where("provider_id", "=", providerId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
