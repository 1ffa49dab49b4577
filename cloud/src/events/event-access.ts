import { ApiError } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { Principal } from "../api/principal.js";
import type { CloudDatabase, EventsTable, RecordingsTable } from "../db/schema.js";
import { callerId, type RoleNeed } from "../devices/device-access.js";
import { cameraRef, type DeviceRole, roleOn } from "../devices/grants.js";

// Access to events and recordings follows their camera (device-access.ts rules): a stranger, a
// removed camera, a deleted event or recording and an unknown id are the same 404; a viewer asking for an
// owner-only action gets 403.

/** Cloud ids of the cameras `userId` may see: not removed, on a device they hold a grant on. */
export function visibleCameraIds(db: Kysely<CloudDatabase>, userId: string) {
  return db
    .selectFrom("cameras")
    .innerJoin("device_grants", "device_grants.device_id", "cameras.device_id")
    .select("cameras.id")
    .where("device_grants.user_id", "=", userId)
    .where("cameras.removed_at", "is", null);
}

/** Ids of events that are not deleted (recordings of a deleted event are hidden with it). */
export function liveEventIds(db: Kysely<CloudDatabase>) {
  return db.selectFrom("events").select("events.id").where("events.deleted_at", "is", null);
}

async function roleFor(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  row: { device_id: string; camera_id: string },
): Promise<DeviceRole | null> {
  const userId = callerId(principal);
  const camera = await cameraRef(db, row.camera_id);
  return camera ? roleOn(db, userId, row.device_id) : null;
}

function check(role: DeviceRole | null, need: RoleNeed, what: string): DeviceRole {
  if (!role) throw new ApiError("E_NOT_FOUND", `no such ${what}`);
  if (need === "owner" && role !== "owner") {
    throw new ApiError("E_FORBIDDEN", `only the camera's owner may do this to an ${what}`);
  }
  return role;
}

/** A visible event and the caller's role, when it satisfies `need` (404 / 403 otherwise). */
export async function requireEvent(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  eventId: string,
  need: RoleNeed,
): Promise<{ event: EventsTable; role: DeviceRole }> {
  callerId(principal);
  const event = await db
    .selectFrom("events")
    .selectAll()
    .where("id", "=", eventId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  const role = check(event ? await roleFor(db, principal, event) : null, need, "event");
  return { event: event as EventsTable, role };
}

/**
 * A visible recording (not deleted, nor its event) when the caller's role satisfies `need`
 * (default any grant holder; 404 / 403 otherwise).
 */
export async function requireRecording(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  recordingId: string,
  need: RoleNeed = "any",
): Promise<RecordingsTable> {
  callerId(principal);
  const recording = await db
    .selectFrom("recordings")
    .selectAll()
    .where("id", "=", recordingId)
    .where("deleted_at", "is", null)
    .where((eb) => eb.or([eb("event_id", "is", null), eb("event_id", "in", liveEventIds(db))]))
    .executeTakeFirst();
  check(recording ? await roleFor(db, principal, recording) : null, need, "recording");
  return recording as RecordingsTable;
}
