import { type ProviderView, providerSettingsSchema } from "@homecam/shared";
import { fromFlag } from "../db/portable.js";
import type { StorageProvidersTable } from "../db/schema-storage.js";
import { iso } from "../devices/views.js";

/** The settings column back as settings; a row written by this code always parses. */
function settings(json: string | null): ProviderView["settings"] {
  if (json === null) return null;
  const parsed = providerSettingsSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

/** A provider row as its view: credentials only as `hasCredentials`. */
export function providerView(row: StorageProvidersTable): ProviderView {
  return {
    id: row.id,
    name: row.name,
    driver: row.driver,
    endpoint: row.endpoint,
    bucket: row.bucket,
    region: row.region,
    forcePathStyle: fromFlag(row.force_path_style),
    hasCredentials: row.credentials_sealed !== null,
    allowVideos: fromFlag(row.allow_videos),
    allowImages: fromFlag(row.allow_images),
    isActive: fromFlag(row.is_active),
    isDefault: fromFlag(row.is_default),
    settings: settings(row.settings_json),
    ownerUserId: row.owner_user_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
