import type { CameraConfig } from "@homecam/shared";
import type { CameraState } from "./control.js";

/**
 * The state of a camera without a running pipeline: switched off in the configuration, in privacy
 * mode, failed to start (`failed` = why), or not started yet.
 */
export function idleCameraState(camera: CameraConfig, armed: boolean, failed?: string): CameraState {
  const [status, reason]: [CameraState["status"], string] = !camera.enabled
    ? ["disabled", "disabled in the configuration"]
    : !armed
      ? ["disabled", "privacy mode"]
      : failed !== undefined
        ? ["error", failed]
        : ["starting", "not started"];
  return {
    id: camera.id,
    name: camera.name,
    enabled: camera.enabled,
    status,
    reason,
    analysisFps: 0,
    eventActive: false,
    lastEventAt: null,
  };
}
