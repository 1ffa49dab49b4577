import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { ApiModule } from "../http/create-app.js";
import type { Clock } from "../security/clock.js";
import type { StorageDriver } from "../storage/storage-driver.js";
import { adminProviderRoutes } from "./admin-provider-routes.js";
import { CredentialSealer, loadStorageKey } from "./credential-sealer.js";
import { ProviderDrivers } from "./provider-drivers.js";
import { ProviderResolver } from "./provider-resolver.js";
import { ProviderService } from "./provider-service.js";
import type { Db } from "./provider-store.js";
import { userProviderRoutes } from "./user-provider-routes.js";

export { ProviderResolver, type StorageResolver, type UploadTarget } from "./provider-resolver.js";

export interface CreateProvidersDeps {
  db: Db;
  stateDir: string;
  /** The deployment's configured store (config `storage`). */
  defaultStorage: StorageDriver;
  /** The embedded fs store (what every `fs` provider means). */
  fsStorage: StorageDriver;
  clock: Clock;
  log: Logger;
  /** Environment holding CREDENTIALS_DIRECTORY; process.env unless told. */
  env?: NodeJS.ProcessEnv;
  /** Accept users' own buckets on private addresses (config `userStorage.allowPrivateEndpoints`). */
  allowPrivateUserEndpoints?: boolean;
}

/** Storage providers, put together: the resolver (media, event clean-up) and the HTTP routes. */
export interface Providers {
  resolver: ProviderResolver;
  service: ProviderService;
  apiModule: ApiModule;
  close(): Promise<void>;
}

/** Load the credentials key and build the providers' resolver, service and routes. */
export async function createProviders(deps: CreateProvidersDeps): Promise<Providers> {
  return buildProviders({ ...deps, key: await loadStorageKey(deps.stateDir, deps.env) });
}

/** {@link createProviders} with the credentials key already loaded. */
export function buildProviders(
  deps: Omit<CreateProvidersDeps, "stateDir" | "env"> & { key: Buffer },
): Providers {
  const log = moduleLogger(deps.log, "providers");
  const sealer = new CredentialSealer(deps.key);
  const drivers = new ProviderDrivers({ fsStorage: deps.fsStorage, sealer, log, clock: deps.clock });
  const resolver = new ProviderResolver({ db: deps.db, defaultStorage: deps.defaultStorage, drivers });
  const service = new ProviderService({
    db: deps.db,
    sealer,
    drivers,
    clock: deps.clock,
    log,
    invalidate: (id) => resolver.invalidate(id),
    userEndpoints: { allowPrivate: deps.allowPrivateUserEndpoints ?? false },
  });
  const admin = adminProviderRoutes(service);
  const user = userProviderRoutes(service);
  return {
    resolver,
    service,
    apiModule: (registry, router) => {
      admin(registry, router);
      user(registry, router);
    },
    close: () => resolver.close(),
  };
}
