import type { OnvifResolver } from "../capture/supervisor.js";
import type { PtzTarget } from "../onvif/ptz.js";

/**
 * The PTZ handles of the ONVIF cameras, by camera id. Capture resolves an ONVIF source (connects,
 * picks the profile) before it can stream; {@link wrap} keeps the connected camera from that result,
 * so PTZ commands reuse it instead of connecting a second time.
 */
export class PtzTargets {
  readonly #targets = new Map<string, PtzTarget>();

  /** `resolve`, recording the camera's PTZ handle whenever it succeeds. */
  wrap(cameraId: string, resolve: OnvifResolver): OnvifResolver {
    return async (source) => {
      const resolved = await resolve(source);
      const target = ptzTargetOf(resolved);
      if (target) this.#targets.set(cameraId, target);
      return resolved;
    };
  }

  get(cameraId: string): PtzTarget | undefined {
    return this.#targets.get(cameraId);
  }
}

/** The PTZ handle in a resolved source (`resolveOnvifSource`'s result carries the camera). */
function ptzTargetOf(resolved: object): PtzTarget | undefined {
  const r = resolved as { camera?: PtzTarget["device"]; profileToken?: unknown };
  if (!r.camera || typeof r.profileToken !== "string") return undefined;
  return { device: r.camera, profileToken: r.profileToken };
}
