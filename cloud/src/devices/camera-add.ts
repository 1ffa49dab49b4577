import { ApiError, type CameraConfig, type CameraView, cameraConfigSchema } from "@homecam/shared";
import type { Principal } from "../api/principal.js";
import type { CameraService } from "./camera-service.js";
import { callerId, requireRole } from "./device-access.js";
import type { DevicesDeps } from "./devices-deps.js";

/**
 * An owner adds a camera source to their agent. Order: the grant check (stranger 404, viewer 403),
 * then the camera against the agent's own schema (400 before anything is relayed), then the agent
 * (`camera.add`; offline, timeout and the agent's refusal reach the caller as they are), and only
 * once the agent accepted it, the cloud row. Every attempt past the grant check is access-logged.
 */
export async function addCamera(
  deps: DevicesDeps & { cameras: CameraService },
  principal: Principal | null,
  deviceId: string,
  input: unknown,
): Promise<CameraView> {
  const { db, accessLog } = deps.ctx;
  await requireRole(db, principal, deviceId, "owner");
  const userId = callerId(principal);
  const camera = parseCamera(input);
  // The source may carry credentials (URLs, passwords): the log names only the id and the kind.
  const detail = `${camera.id} (${camera.source.type})`;
  try {
    await deps.commander.send(deviceId, { name: "camera.add", args: { camera } });
  } catch (err) {
    const outcome = err instanceof ApiError ? err.code : "E_INTERNAL";
    await accessLog.record({ deviceId, userId, action: "camera.add", outcome, detail });
    throw err;
  }
  const view = await deps.cameras.upsertAdded(deviceId, camera);
  await accessLog.record({
    deviceId,
    userId,
    cameraId: view.id,
    action: "camera.add",
    outcome: "ok",
    detail,
  });
  return view;
}

function parseCamera(input: unknown): CameraConfig {
  const r = cameraConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ApiError("E_VALIDATION", "invalid camera", {
    issues: r.error.issues.map((i) => ({
      path: ["camera", ...i.path.map(String)].join("."),
      message: i.message,
    })),
  });
}
