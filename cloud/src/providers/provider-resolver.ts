import { ApiError, type MediaKind } from "@homecam/shared";
import type { StorageDriver } from "../storage/storage-driver.js";
import type { ClosableDriver, ProviderDrivers } from "./provider-drivers.js";
import {
  allowColumn,
  type Db,
  defaultProviderFor,
  deviceOwner,
  ownProviderOf,
  providerById,
} from "./provider-store.js";

/** Where one upload goes: a provider (null = the deployment's configured store) and its driver. */
export interface UploadTarget {
  providerId: string | null;
  driver: StorageDriver;
}

/** What the media routes and the event clean-up need: choose a store, and find one again. */
export interface StorageResolver {
  forUpload(deviceId: string, kind: MediaKind): Promise<UploadTarget>;
  forObject(providerId: string | null): Promise<StorageDriver>;
}

export interface ProviderResolverDeps {
  db: Db;
  /** The deployment's configured store (config `storage`): objects with `provider_id` null. */
  defaultStorage: StorageDriver;
  drivers: ProviderDrivers;
  /** How long a replaced driver keeps its sockets for requests still using it. 60 s. */
  closeAfterMs?: number;
}

/**
 * Picks the store of each upload — the device owner's own bucket when set and active, else the
 * admin's default provider that takes this kind, else the deployment's store — and finds the
 * store of an existing object by the provider id written next to it. Drivers are built once per
 * provider and dropped when the provider changes ({@link invalidate}).
 */
export class ProviderResolver implements StorageResolver {
  private readonly cache = new Map<string, Promise<ClosableDriver>>();

  constructor(private readonly deps: ProviderResolverDeps) {}

  async forUpload(deviceId: string, kind: MediaKind): Promise<UploadTarget> {
    const { db } = this.deps;
    const owner = await deviceOwner(db, deviceId);
    const own = owner === undefined ? undefined : await ownProviderOf(db, owner);
    const provider = own && own[allowColumn(kind)] === 1 ? own : await defaultProviderFor(db, kind);
    if (!provider) return { providerId: null, driver: this.deps.defaultStorage };
    return { providerId: provider.id, driver: await this.forObject(provider.id) };
  }

  /** The store of an object written to `providerId`, active or not (old clips stay readable). */
  forObject(providerId: string | null): Promise<StorageDriver> {
    if (providerId === null) return Promise.resolve(this.deps.defaultStorage);
    let driver = this.cache.get(providerId);
    if (!driver) {
      driver = this.build(providerId);
      this.cache.set(providerId, driver);
      // A failed build (row gone, database down) is not remembered.
      driver.catch(() => {
        if (this.cache.get(providerId) === driver) this.cache.delete(providerId);
      });
    }
    return driver;
  }

  /** Forget the driver of a changed or deleted provider; the next use builds it again. */
  invalidate(providerId: string): void {
    const driver = this.cache.get(providerId);
    if (!driver) return;
    this.cache.delete(providerId);
    driver.then(
      (d) => this.retire(d),
      () => {},
    );
  }

  /** Release every cached driver. */
  async close(): Promise<void> {
    const drivers = await Promise.allSettled([...this.cache.values()]);
    this.cache.clear();
    for (const d of drivers) if (d.status === "fulfilled") d.value.close?.();
  }

  private async build(providerId: string): Promise<ClosableDriver> {
    const row = await providerById(this.deps.db, providerId);
    if (!row) throw new ApiError("E_STORAGE_ERROR", "the object's storage provider no longer exists");
    return this.deps.drivers.forRow(row);
  }

  private retire(driver: ClosableDriver): void {
    if (!driver.close) return;
    // Requests already holding this driver finish first.
    const timer = setTimeout(() => driver.close?.(), this.deps.closeAfterMs ?? 60_000);
    timer.unref();
  }
}
