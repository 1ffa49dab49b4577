import type { MessageBodyInput } from "@homecam/shared";
import type { CameraState } from "../camera/control.js";

/** The `device.status` body as the agent sends it. */
export type DeviceStatusBody = MessageBodyInput<"device.status">;

/** Longest reason the MQTT schema accepts. */
export const MAX_REASON_LENGTH = 256;

/** A reason fit for the schema: trimmed to 256 characters; undefined when empty. */
export function schemaReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const trimmed = reason.trim();
  if (trimmed === "") return undefined;
  return trimmed.length > MAX_REASON_LENGTH ? `${trimmed.slice(0, MAX_REASON_LENGTH - 1)}…` : trimmed;
}

/** One camera as status and telemetry report it. */
export function cameraStatusOf(c: CameraState): {
  id: string;
  status: CameraState["status"];
  reason?: string;
} {
  const reason = schemaReason(c.reason);
  return { id: c.id, status: c.status, ...(reason !== undefined && { reason }) };
}

/** The retained `online` status: agent version and every camera's status. */
export function onlineStatus(agentVersion: string, cameras: readonly CameraState[]): DeviceStatusBody {
  return { state: "online", agentVersion, cameras: cameras.map(cameraStatusOf) };
}

/** The retained `offline` status (the last will, or a clean shutdown). */
export function offlineStatus(reason: "connection lost" | "shutdown"): DeviceStatusBody {
  return { state: "offline", reason };
}
