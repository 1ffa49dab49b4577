import { ApiError } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { Principal } from "../api/principal.js";
import type { CloudDatabase } from "../db/schema.js";
import { type CameraRef, cameraRef, type DeviceRole, roleOn } from "./grants.js";

// Every access decision on a device or camera goes through here, so the rules live in one place:
// - no grant (a stranger) → 404 E_NOT_FOUND, exactly like a device or camera that does not exist,
//   so ids reveal nothing;
// - a viewer asking for an owner-only action → 403 E_FORBIDDEN (they know the device exists).

/** What an action needs: the owner, or any grant holder. */
export type RoleNeed = "owner" | "any";

/** The signed-in caller's id; 401 without one (a device token on a user-only path). */
export function callerId(principal: Principal | null): string {
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal.userId;
}

/**
 * The caller's role on `deviceId`, when it satisfies `need`. Throws 404 for strangers (and unknown
 * devices), 403 for a viewer on an owner action.
 */
export async function requireRole(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  deviceId: string,
  need: RoleNeed,
): Promise<DeviceRole> {
  const role = await roleOn(db, callerId(principal), deviceId);
  if (!role) throw new ApiError("E_NOT_FOUND", "no such device");
  if (need === "owner" && role !== "owner") {
    throw new ApiError("E_FORBIDDEN", "only the device's owner may do this");
  }
  return role;
}

/**
 * A visible camera and the caller's role on its device, when it satisfies `need`. A removed or
 * unknown camera is a 404 like a stranger's.
 */
export async function requireCameraRole(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  cameraId: string,
  need: RoleNeed,
): Promise<{ camera: CameraRef; role: DeviceRole }> {
  const userId = callerId(principal);
  const camera = await cameraRef(db, cameraId);
  const role = camera ? await roleOn(db, userId, camera.deviceId) : null;
  if (!camera || !role) throw new ApiError("E_NOT_FOUND", "no such camera");
  if (need === "owner" && role !== "owner") {
    throw new ApiError("E_FORBIDDEN", "only the camera's owner may do this");
  }
  return { camera, role };
}

/**
 * May the caller remove `userId`'s grant on `deviceId`? The owner revokes any viewer but not
 * themselves (409: an ownerless device would be orphaned); a viewer only removes their own grant
 * (leaving). Strangers get 404 as everywhere.
 */
export async function requireGrantRemoval(
  db: Kysely<CloudDatabase>,
  principal: Principal | null,
  deviceId: string,
  userId: string,
): Promise<void> {
  const role = await requireRole(db, principal, deviceId, "any");
  const self = callerId(principal) === userId;
  if (role === "owner" && self) {
    throw new ApiError(
      "E_CONFLICT",
      "the owner cannot revoke themselves: transfer or delete the device instead",
    );
  }
  if (role === "viewer" && !self) {
    throw new ApiError("E_FORBIDDEN", "viewers may only remove their own access");
  }
}
