import { ApiError, parseMessage } from "@homecam/shared";
import type { DevicePrincipal } from "../api/principal.js";
import type { EventIngest } from "./event-ingest.js";
import type { EventMessage } from "./ingest-store.js";

/** A fact a device posts over HTTP: the MQTT `evt` frame without `v` and `ts`. */
export interface PostedFact {
  id: string;
  type: EventMessage["type"];
  body: unknown;
}

/**
 * Apply a fact a device posted (`POST /api/events`, `POST /api/recordings`) as the ingest applies
 * its MQTT twin: the same frame validation, so both paths accept exactly the same facts, and the
 * same idempotency (the frame id), so a fact sent both ways takes effect once.
 */
export async function applyPostedFact(
  ingest: Pick<EventIngest, "apply">,
  now: number,
  device: DevicePrincipal | null,
  fact: PostedFact,
): Promise<{ applied: boolean }> {
  if (!device) throw new ApiError("E_UNAUTHORIZED", "device token required");
  const frame = JSON.stringify({ v: 1, id: fact.id, ts: now, type: fact.type, body: fact.body });
  const parsed = parseMessage(frame, [fact.type]);
  if (!parsed.ok) throw new ApiError("E_VALIDATION", parsed.error);
  return { applied: await ingest.apply(device.deviceId, parsed.message as EventMessage) };
}
