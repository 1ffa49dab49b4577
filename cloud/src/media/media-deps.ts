import type { EventIngest } from "../events/event-ingest.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import type { StorageDriver } from "../storage/storage-driver.js";

/** What the media routes are built from. */
export interface MediaDeps {
  ctx: RendezvousContext;
  /**
   * The store a device's objects go to (and are read from). One embedded fs driver for every
   * device today; per-owner providers plug in here later.
   */
  storageFor: (deviceId: string) => StorageDriver;
  /** Applies the `upload.done` fact a completed upload amounts to (the MQTT path's twin). */
  ingest: Pick<EventIngest, "apply">;
}

/** Lifetime of an upload URL: long enough for a large clip on a slow uplink. */
export const UPLOAD_URL_TTL_S = 15 * 60;

/** Lifetime of a download URL: a viewer opens it right away. */
export const DOWNLOAD_URL_TTL_S = 5 * 60;
