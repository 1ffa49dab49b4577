import type { EventIngest } from "../events/event-ingest.js";
import type { StorageResolver } from "../providers/provider-resolver.js";
import type { RendezvousContext } from "../rendezvous/context.js";

/** What the media routes are built from. */
export interface MediaDeps {
  ctx: RendezvousContext;
  /**
   * Where a device's uploads go (its owner's bucket, the admin's default provider or the
   * deployment's store) and where an existing object is read from (the provider it was written to).
   */
  storage: StorageResolver;
  /** Applies the `upload.done` fact a completed upload amounts to (the MQTT path's twin). */
  ingest: Pick<EventIngest, "apply">;
}

/** Lifetime of an upload URL: long enough for a large clip on a slow uplink. */
export const UPLOAD_URL_TTL_S = 15 * 60;

/** Lifetime of a download URL: a viewer opens it right away. */
export const DOWNLOAD_URL_TTL_S = 5 * 60;
