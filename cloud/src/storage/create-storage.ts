import { type StorageConfig, storageConfigSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Clock } from "../security/clock.js";
import { createFsDriver } from "./fs-driver.js";
import { S3StorageDriver } from "./s3-driver.js";
import type { StorageDriver } from "./storage-driver.js";

export interface CreateStorageDeps {
  /** The cloud's state directory (the fs driver's objects and URL key). */
  stateDir: string;
  /** Base of the fs driver's URLs (`http.publicUrl`). */
  publicUrl: string;
  log: Logger;
  clock?: Clock;
}

/**
 * The driver a provider's settings describe. The settings are validated here too (they may come
 * from the database), so a malformed row fails with a zod error instead of a half-built client.
 */
export async function createStorage(config: StorageConfig, deps: CreateStorageDeps): Promise<StorageDriver> {
  const parsed = storageConfigSchema.parse(config);
  const clock = deps.clock ? { clock: deps.clock } : {};
  if (parsed.driver === "fs") {
    return createFsDriver({ stateDir: deps.stateDir, publicUrl: deps.publicUrl, ...clock });
  }
  return new S3StorageDriver(parsed, { log: deps.log, ...clock });
}
