import {
  type AccessLogEntryView,
  type CameraView,
  cameraViewStatusSchema,
  type DeviceGrantView,
  type DevicePresence,
  type DeviceView,
} from "@homecam/shared";
import type { CamerasTable, DeviceAccessLogTable, DevicesTable } from "../db/schema.js";
import type { DeviceRole } from "./grants.js";

// Database rows → the REST views of shared/src/api/devices.ts. Rows are never sent as they are:
// columns are snake_case and timestamps epoch ms, the API speaks camelCase and ISO 8601.

/** Epoch ms → ISO 8601. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** The camera columns every view needs. */
export const CAMERA_COLUMNS = [
  "cameras.id",
  "cameras.device_id",
  "cameras.local_id",
  "cameras.name",
  "cameras.location",
  "cameras.source_kind",
  "cameras.status",
  "cameras.status_reason",
  "cameras.created_at",
  "cameras.updated_at",
] as const;

/** A camera row as selected with {@link CAMERA_COLUMNS}. */
export type CameraRow = Pick<
  CamerasTable,
  | "id"
  | "device_id"
  | "local_id"
  | "name"
  | "location"
  | "source_kind"
  | "status"
  | "status_reason"
  | "created_at"
  | "updated_at"
>;

/** A camera as the caller sees it, with their role and the device's presence. */
export function cameraView(row: CameraRow, role: DeviceRole, deviceStatus: DevicePresence): CameraView {
  // The status column is written from agent reports; anything off-contract shows as unknown.
  const status = cameraViewStatusSchema.safeParse(row.status);
  return {
    id: row.id,
    deviceId: row.device_id,
    localId: row.local_id,
    name: row.name,
    location: row.location,
    sourceKind: row.source_kind,
    status: status.success ? status.data : "unknown",
    statusReason: row.status_reason,
    role,
    deviceStatus,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The device columns the device view needs. */
export const DEVICE_COLUMNS = [
  "devices.id",
  "devices.name",
  "devices.status",
  "devices.status_at",
  "devices.last_seen_at",
  "devices.agent_version",
  "devices.created_at",
] as const;

/** A device row as selected with {@link DEVICE_COLUMNS}. */
export type DeviceViewRow = Pick<
  DevicesTable,
  "id" | "name" | "status" | "status_at" | "last_seen_at" | "agent_version" | "created_at"
>;

/** A device as the caller sees it; `cameras` are its visible cameras' views. */
export function deviceView(row: DeviceViewRow, role: DeviceRole, cameras: CameraView[]): DeviceView {
  return {
    id: row.id,
    name: row.name,
    role,
    status: row.status,
    statusAt: isoOrNull(row.status_at),
    lastSeenAt: isoOrNull(row.last_seen_at),
    agentVersion: row.agent_version,
    createdAt: iso(row.created_at),
    cameras,
  };
}

/** A grant joined with its user. */
export interface GrantRow {
  user_id: string;
  name: string;
  email: string;
  role: DeviceRole;
  granted_by: string | null;
  created_at: number;
}

export function grantView(row: GrantRow): DeviceGrantView {
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    grantedBy: row.granted_by,
    createdAt: iso(row.created_at),
  };
}

/** An access-log row and the name of its user (null: the device itself, or a deleted account). */
export function accessLogEntryView(row: DeviceAccessLogTable, userName: string | null): AccessLogEntryView {
  return {
    id: row.id,
    at: iso(row.created_at),
    userId: row.user_id,
    userName,
    cameraId: row.camera_id,
    action: row.action,
    outcome: row.outcome,
    detail: row.detail,
  };
}
