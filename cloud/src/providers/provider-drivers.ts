import {
  ApiError,
  type ProviderCredentials,
  providerCredentialsSchema,
  type S3StorageConfig,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { StorageProvidersTable } from "../db/schema-storage.js";
import type { Clock } from "../security/clock.js";
import { S3StorageDriver } from "../storage/s3-driver.js";
import type { StorageDriver } from "../storage/storage-driver.js";
import type { CredentialSealer } from "./credential-sealer.js";

// Building the driver a provider row (or a not yet saved form) describes.

/** An S3 provider's connection settings, as saved or as about to be saved. */
export interface S3Connection {
  endpoint: string | null;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  credentials: ProviderCredentials;
}

export interface ProviderDriversDeps {
  /** The embedded fs store: every `fs` provider is this one store (objects under the state directory). */
  fsStorage: StorageDriver;
  sealer: CredentialSealer;
  log: Logger;
  clock?: Clock;
}

/** A driver that may hold sockets to release. */
export type ClosableDriver = StorageDriver & { close?: () => void };

/** Builds provider drivers; credentials are opened here and passed to the SDK only. */
/** How long a settings test upload may take before the settings are refused. */
const PROVE_TIMEOUT_MS = 15_000;

export class ProviderDrivers {
  constructor(private readonly deps: ProviderDriversDeps) {}

  /** The stored credentials of a row; throws when they cannot be opened (another key). */
  credentialsOf(row: StorageProvidersTable): ProviderCredentials {
    if (row.credentials_sealed === null) {
      throw new ApiError("E_STORAGE_ERROR", "the storage provider has no credentials");
    }
    let opened: unknown;
    try {
      opened = this.deps.sealer.open(row.credentials_sealed);
    } catch {
      // The reason (wrong key, tampered value) is the operator's business; the id is safe to log.
      this.deps.log.error(
        { providerId: row.id },
        "provider credentials cannot be opened (storage key changed?)",
      );
      throw new ApiError("E_STORAGE_ERROR", "the storage provider's credentials cannot be opened");
    }
    return providerCredentialsSchema.parse(opened);
  }

  /** The driver of a saved provider. */
  forRow(row: StorageProvidersTable): ClosableDriver {
    if (row.driver === "fs") return this.deps.fsStorage;
    if (row.bucket === null || row.region === null) {
      throw new ApiError("E_STORAGE_ERROR", "the storage provider is incomplete");
    }
    return this.s3({
      endpoint: row.endpoint,
      bucket: row.bucket,
      region: row.region,
      forcePathStyle: row.force_path_style === 1,
      credentials: this.credentialsOf(row),
    });
  }

  /** An S3 driver for settings that may not be saved yet. */
  s3(connection: S3Connection, maxAttempts?: number): S3StorageDriver {
    const config: S3StorageConfig = {
      driver: "s3",
      ...(connection.endpoint !== null ? { endpoint: connection.endpoint } : {}),
      region: connection.region,
      bucket: connection.bucket,
      accessKeyId: connection.credentials.accessKeyId,
      secretAccessKey: connection.credentials.secretAccessKey,
      forcePathStyle: connection.forcePathStyle,
    };
    return new S3StorageDriver(config, {
      log: this.deps.log,
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(this.deps.clock ? { clock: this.deps.clock } : {}),
    });
  }

  /**
   * Prove settings with a real write, read back and delete before they are saved. A failure is
   * the caller's input being wrong: `E_VALIDATION`, with the storage's reason (never a secret).
   */
  async prove(connection: S3Connection): Promise<void> {
    // One attempt: a settings test answers at once instead of retrying a dead endpoint.
    const driver = this.s3(connection, 1);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A black-holed endpoint would hold the user's request for minutes.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ApiError("E_STORAGE_ERROR", "no answer in 15 s")),
          PROVE_TIMEOUT_MS,
        );
      });
      await Promise.race([driver.putTest(), timeout]);
    } catch (err) {
      const reason = err instanceof ApiError ? err.message : "storage test failed";
      throw new ApiError("E_VALIDATION", `the storage did not accept a test upload: ${reason}`);
    } finally {
      clearTimeout(timer);
      driver.close();
    }
  }
}
