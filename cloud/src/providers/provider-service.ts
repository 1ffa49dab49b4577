import { randomBytes } from "node:crypto";
import {
  ApiError,
  type ProviderCreateBody,
  type ProviderPatchBody,
  type ProviderView,
  type UserProviderPutBody,
  type UserProviderView,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { toFlag } from "../db/portable.js";
import type { StorageProvidersTable } from "../db/schema-storage.js";
import type { Clock } from "../security/clock.js";
import type { CredentialSealer } from "./credential-sealer.js";
import { assertUserEndpoint, type Resolve } from "./endpoint-guard.js";
import type { ProviderDrivers, S3Connection } from "./provider-drivers.js";
import {
  allProviders,
  type Db,
  defaultProviderFor,
  holdsObjects,
  isLinked,
  linkedProviderId,
  ownProviderOf,
  providerById,
  providerByName,
} from "./provider-store.js";
import { providerView } from "./provider-views.js";

export interface ProviderServiceDeps {
  db: Db;
  sealer: CredentialSealer;
  drivers: ProviderDrivers;
  clock: Clock;
  log: Logger;
  /** Called after a provider changed or went away (drops its cached driver). */
  invalidate(providerId: string): void;
  /** How users' own endpoints are checked (private addresses refused unless allowed). */
  userEndpoints?: { allowPrivate: boolean; resolve?: Resolve };
}

const newId = () => randomBytes(12).toString("base64url");

/**
 * The rules of storage providers: admins' CRUD and users' own buckets. S3 settings are proven by
 * a real test upload before anything is saved; credentials are sealed before they reach the
 * database and never leave it again except into an SDK client. A provider that still holds
 * objects is never deleted (its clips must stay readable): admins get `E_CONFLICT` and deactivate
 * it instead; a user's own bucket is deactivated for them.
 */
export class ProviderService {
  constructor(private readonly deps: ProviderServiceDeps) {}

  async list(): Promise<ProviderView[]> {
    return (await allProviders(this.deps.db)).map(providerView);
  }

  async create(body: ProviderCreateBody): Promise<ProviderView> {
    if (await providerByName(this.deps.db, body.name)) {
      throw new ApiError("E_CONFLICT", "a provider with this name exists");
    }
    const connection = body.driver === "s3" ? s3Of(body) : null;
    if (body.driver === "fs" && (body.credentials || body.bucket || body.endpoint)) {
      throw new ApiError("E_VALIDATION", "an fs provider takes no endpoint, bucket or credentials");
    }
    if (connection) await this.deps.drivers.prove(connection);
    const now = this.deps.clock.now();
    const row: StorageProvidersTable = {
      id: newId(),
      name: body.name,
      driver: body.driver,
      endpoint: connection?.endpoint ?? null,
      bucket: connection?.bucket ?? null,
      region: connection?.region ?? null,
      force_path_style: toFlag(connection?.forcePathStyle ?? false),
      credentials_sealed: connection ? this.deps.sealer.seal(connection.credentials) : null,
      allow_videos: toFlag(body.allowVideos),
      allow_images: toFlag(body.allowImages),
      is_active: toFlag(body.isActive),
      is_default: toFlag(body.isDefault),
      settings_json: body.settings ? JSON.stringify(body.settings) : null,
      owner_user_id: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      if (body.isDefault) await trx.updateTable("storage_providers").set({ is_default: 0 }).execute();
      await trx.insertInto("storage_providers").values(row).execute();
    });
    this.deps.log.info(
      { providerId: row.id, name: row.name, driver: row.driver },
      "storage provider created",
    );
    return providerView(row);
  }

  async patch(id: string, body: ProviderPatchBody): Promise<ProviderView> {
    const row = await this.require(id);
    if (body.isDefault && row.owner_user_id !== null) {
      throw new ApiError("E_VALIDATION", "a user's own bucket cannot be the default provider");
    }
    if (
      body.name !== undefined &&
      body.name !== row.name &&
      (await providerByName(this.deps.db, body.name))
    ) {
      throw new ApiError("E_CONFLICT", "a provider with this name exists");
    }
    const changesConnection =
      body.endpoint !== undefined ||
      body.bucket !== undefined ||
      body.region !== undefined ||
      body.forcePathStyle !== undefined ||
      body.credentials !== undefined;
    if (changesConnection && row.driver === "fs") {
      throw new ApiError("E_VALIDATION", "an fs provider takes no endpoint, bucket or credentials");
    }
    const patch: Partial<StorageProvidersTable> = {};
    if (changesConnection) {
      const connection: S3Connection = {
        endpoint: body.endpoint ?? row.endpoint,
        bucket: body.bucket ?? row.bucket ?? "",
        region: body.region ?? row.region ?? "",
        forcePathStyle: body.forcePathStyle ?? row.force_path_style === 1,
        credentials: body.credentials ?? this.deps.drivers.credentialsOf(row),
      };
      await this.deps.drivers.prove(connection);
      patch.endpoint = connection.endpoint;
      patch.bucket = connection.bucket;
      patch.region = connection.region;
      patch.force_path_style = toFlag(connection.forcePathStyle);
      if (body.credentials) patch.credentials_sealed = this.deps.sealer.seal(body.credentials);
    }
    if (body.name !== undefined) patch.name = body.name;
    if (body.allowVideos !== undefined) patch.allow_videos = toFlag(body.allowVideos);
    if (body.allowImages !== undefined) patch.allow_images = toFlag(body.allowImages);
    if (body.isActive !== undefined) patch.is_active = toFlag(body.isActive);
    if (body.isDefault !== undefined) patch.is_default = toFlag(body.isDefault);
    if (body.settings !== undefined)
      patch.settings_json = body.settings ? JSON.stringify(body.settings) : null;
    await this.deps.db.transaction().execute(async (trx) => {
      if (body.isDefault) {
        await trx.updateTable("storage_providers").set({ is_default: 0 }).where("id", "!=", id).execute();
      }
      await trx
        .updateTable("storage_providers")
        .set({ ...patch, updated_at: this.deps.clock.now() })
        .where("id", "=", id)
        .execute();
    });
    this.deps.invalidate(id);
    this.deps.log.info({ providerId: id, fields: Object.keys(body) }, "storage provider changed");
    return providerView(await this.require(id));
  }

  /** Delete a provider nothing lives in; `E_CONFLICT` while objects or a user's choice reference it. */
  async remove(id: string): Promise<void> {
    await this.require(id);
    if ((await holdsObjects(this.deps.db, id)) || (await isLinked(this.deps.db, id))) {
      throw new ApiError(
        "E_CONFLICT",
        "the provider still holds objects or is a user's bucket: deactivate it instead (isActive: false)",
      );
    }
    await this.deps.db.deleteFrom("storage_providers").where("id", "=", id).execute();
    this.deps.invalidate(id);
    this.deps.log.info({ providerId: id }, "storage provider deleted");
  }

  /** Where the user's devices upload now (their clips; thumbnails follow the same rule). */
  async userView(userId: string): Promise<UserProviderView> {
    const own = await ownProviderOf(this.deps.db, userId);
    if (own) return { source: "own", provider: providerView(own) };
    const fallback = await defaultProviderFor(this.deps.db, "clip");
    if (fallback) return { source: "default", provider: providerView(fallback) };
    return { source: "embedded", provider: null };
  }

  /** Set the user's own bucket, proven by a test upload first. Replaces an earlier one. */
  async setOwn(userId: string, body: UserProviderPutBody): Promise<UserProviderView> {
    const connection = s3Of(body);
    if (connection.endpoint !== null) {
      await assertUserEndpoint(connection.endpoint, this.deps.userEndpoints ?? { allowPrivate: false });
    }
    await this.deps.drivers.prove(connection);
    const now = this.deps.clock.now();
    const id = newId();
    const previous = await linkedProviderId(this.deps.db, userId);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("storage_providers")
        .values({
          id,
          name: `user-${userId}-${id.slice(0, 8)}`,
          driver: "s3",
          endpoint: connection.endpoint,
          bucket: connection.bucket,
          region: connection.region,
          force_path_style: toFlag(connection.forcePathStyle),
          credentials_sealed: this.deps.sealer.seal(connection.credentials),
          allow_videos: 1,
          allow_images: 1,
          is_active: 1,
          is_default: 0,
          settings_json: null,
          owner_user_id: userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto("user_providers")
        .values({ user_id: userId, provider_id: id, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column("user_id").doUpdateSet({ provider_id: id, updated_at: now }))
        .execute();
    });
    if (previous !== undefined) await this.retireOwn(previous);
    this.deps.log.info({ userId, providerId: id }, "user storage provider set");
    return this.userView(userId);
  }

  /** Back to the default: the user's bucket stays readable for the objects already in it. */
  async removeOwn(userId: string): Promise<UserProviderView> {
    const previous = await linkedProviderId(this.deps.db, userId);
    if (previous !== undefined) {
      await this.deps.db.deleteFrom("user_providers").where("user_id", "=", userId).execute();
      await this.retireOwn(previous);
      this.deps.log.info({ userId, providerId: previous }, "user storage provider removed");
    }
    return this.userView(userId);
  }

  /** A user's former bucket: deleted when empty, else kept (deactivated) for reading. */
  private async retireOwn(providerId: string): Promise<void> {
    const { db } = this.deps;
    if ((await holdsObjects(db, providerId)) || (await isLinked(db, providerId))) {
      await db
        .updateTable("storage_providers")
        .set({ is_active: 0, updated_at: this.deps.clock.now() })
        .where("id", "=", providerId)
        .where("owner_user_id", "is not", null)
        .execute();
    } else {
      await db
        .deleteFrom("storage_providers")
        .where("id", "=", providerId)
        .where("owner_user_id", "is not", null)
        .execute();
    }
    this.deps.invalidate(providerId);
  }

  private async require(id: string): Promise<StorageProvidersTable> {
    const row = await providerById(this.deps.db, id);
    if (!row) throw new ApiError("E_NOT_FOUND", "no such provider");
    return row;
  }
}

function s3Of(body: {
  endpoint?: string | undefined;
  bucket?: string | undefined;
  region?: string | undefined;
  forcePathStyle?: boolean | undefined;
  credentials?: S3Connection["credentials"] | undefined;
}): S3Connection {
  if (!body.bucket || !body.region || !body.credentials) {
    throw new ApiError("E_VALIDATION", "an s3 provider needs bucket, region and credentials");
  }
  return {
    endpoint: body.endpoint ?? null,
    bucket: body.bucket,
    region: body.region,
    forcePathStyle: body.forcePathStyle ?? false,
    credentials: body.credentials,
  };
}
