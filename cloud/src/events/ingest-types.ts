import { randomBytes } from "node:crypto";
import type { EVENT_MESSAGE_TYPES, MqttMessage } from "@homecam/shared";
import type { Transaction } from "kysely";
import type { CloudDatabase, EventsTable, RecordingsTable } from "../db/schema.js";

// Shapes shared by the ingest's database steps.

/** A message published on `evt/{type}`. */
export type EventMessage = MqttMessage<(typeof EVENT_MESSAGE_TYPES)[number]>;

/** Why a message changed nothing. */
export type DropReason =
  | "duplicate"
  | "unknown camera"
  | "unknown recording"
  | "foreign object key"
  | "already indexed";

/** What applying a message did; rows are read back after the change. */
export type IngestEffect =
  | { applied: false; reason: DropReason }
  | { applied: true; kind: "event"; change: "created" | "updated" | "ended" | "none"; event: EventsTable }
  | { applied: true; kind: "recording"; change: "ready" | "uploaded" | "deleted"; recording: RecordingsTable }
  | { applied: true; kind: "thumbnail"; recording: RecordingsTable }
  | { applied: true; kind: "warning"; recording: RecordingsTable | null };

/** The transaction a message is applied in. */
export type Tx = Transaction<CloudDatabase>;

/** Thrown inside the transaction to roll a dropped message back (its frame id stays free). */
export class Dropped extends Error {
  constructor(readonly reason: DropReason) {
    super(reason);
  }
}

/** A new cloud id for an event or recording. */
export function newId(): string {
  return randomBytes(12).toString("base64url");
}

/** True when `key` lies under the device's storage prefix (`devices/<deviceId>/`). */
export function isDeviceKey(deviceId: string, key: string): boolean {
  return key.startsWith(`devices/${deviceId}/`);
}

/**
 * The cloud id of the device's camera `localId`. Cameras are created by the agent's registration
 * (POST /api/cameras) only: an unknown or owner-removed camera indexes nothing.
 */
export async function cameraOf(trx: Tx, deviceId: string, localId: string): Promise<string> {
  const row = await trx
    .selectFrom("cameras")
    .select("id")
    .where("device_id", "=", deviceId)
    .where("local_id", "=", localId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  if (!row) throw new Dropped("unknown camera");
  return row.id;
}
