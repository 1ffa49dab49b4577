import { join } from "node:path";
import type { CameraSource } from "@homecam/shared";
import { type Logger, moduleLogger } from "@homecam/shared/node";
import { Router } from "express";
import type { BrowserResolver } from "../capture/supervisor.js";
import type { AgentModule } from "../module.js";
import { capturePageRoutes } from "./capture-page.js";
import { IngestHub, type IngestHubOptions } from "./ingest-hub.js";
import { whipCorsRoutes, whipRoutes } from "./whip-routes.js";

export interface IngestOptions
  extends Partial<Pick<IngestHubOptions, "keyFrameIntervalMs" | "iceAdditionalHostAddresses">> {
  stateDir: string;
  /** The camera's source while it may capture (CameraManager.liveSource). */
  cameraSource(cameraId: string): CameraSource | undefined;
  log: Logger;
}

/** Browser cameras, ready to wire into the agent (main.ts). */
export interface Ingest {
  hub: IngestHub;
  /** In front of the auth gate: the /capture page, its script, CORS preflights of WHIP. */
  publicRoutes: Router;
  /** Behind the auth gate: WHIP (owner tokens only). */
  routes: Router;
  /** CameraManager's `resolveBrowser`: how a browser camera's capture reads its publisher. */
  resolveBrowser: BrowserResolver;
  module: AgentModule;
}

export function createIngest(opts: IngestOptions): Ingest {
  const hub = new IngestHub({
    cameraSource: opts.cameraSource,
    dir: join(opts.stateDir, "ingest"),
    log: moduleLogger(opts.log, "ingest"),
    ...(opts.keyFrameIntervalMs !== undefined && { keyFrameIntervalMs: opts.keyFrameIntervalMs }),
    ...(opts.iceAdditionalHostAddresses && { iceAdditionalHostAddresses: opts.iceAdditionalHostAddresses }),
  });
  return {
    hub,
    publicRoutes: Router().use(capturePageRoutes(), whipCorsRoutes()),
    routes: whipRoutes({ hub, cameraSource: opts.cameraSource }),
    resolveBrowser: hub.consume,
    module: hub,
  };
}
