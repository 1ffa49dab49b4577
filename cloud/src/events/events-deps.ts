import type { RendezvousContext } from "../rendezvous/context.js";
import type { EventIngest } from "./event-ingest.js";

/** What the event index routes are built from. */
export interface EventsDeps {
  ctx: RendezvousContext;
  /** Applies device facts (`POST /api/events`) and carries the signals (`eventDeleted`). */
  ingest: EventIngest;
}
