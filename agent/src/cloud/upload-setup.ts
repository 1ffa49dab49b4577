import type { AgentConfig } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { MultipartStateStore } from "../store/multipart-uploads-repo.js";
import { Uploader, type UploaderOptions } from "./uploader.js";

export interface UploaderDeps {
  api: UploaderOptions["api"];
  recordings: UploaderOptions["recordings"];
  multipart: MultipartStateStore;
  log: Pick<Logger, "info" | "warn" | "debug">;
}

/**
 * The uploader the `cloud.upload` settings ask for, or none: with `enabled: false` clips stay on
 * the device (local-only clips; events still sync), so no uploader exists to send anything.
 * Pending clips stay pending, and go once uploads are enabled again.
 */
export function createUploader(
  settings: AgentConfig["cloud"]["upload"],
  deps: UploaderDeps,
  over: Partial<UploaderOptions> = {},
): Uploader | undefined {
  if (!settings.enabled) return undefined;
  return new Uploader({
    ...deps,
    concurrency: settings.concurrency,
    bytesPerSecond: settings.maxBytesPerSecond,
    onlyEvents: settings.onlyEvents,
    ...over,
  });
}
