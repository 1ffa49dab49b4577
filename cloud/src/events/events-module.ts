import type { ApiModule } from "../http/create-app.js";
import { eventRoutes } from "./event-routes.js";
import type { EventsDeps } from "./events-deps.js";
import { recordingRoutes } from "./recording-routes.js";

export { EventIngest, type EventIngestDeps } from "./event-ingest.js";
export type { EventIndexSignalMap, EventIndexSignals } from "./event-signals.js";
export type { EventsDeps } from "./events-deps.js";

/**
 * The event index's HTTP side: `/api/events…` and `/api/recordings…`. Pair it with an
 * {@link EventIngest} started on the broker (main.ts).
 */
export function eventsModule(deps: EventsDeps): ApiModule {
  const events = eventRoutes(deps);
  const recordings = recordingRoutes(deps);
  return (registry, router) => {
    events(registry, router);
    recordings(registry, router);
  };
}
