import { ApiError, maskSecretsInText } from "@homecam/shared";
import type { CameraControl } from "../camera/control.js";
import { pairingDisabledError } from "../cloud/pairing-error.js";
import type { PairingPort } from "../cloud/pairing-manager.js";
import type { LocalPairingControl } from "../lan-pairing/local-pairing.js";
import type { ControlErrorBody, ControlMethod, MethodParams, MethodResult } from "./protocol.js";

/** One method's implementation: validated params in, a JSON-serialisable result out. */
export type MethodHandler<M extends ControlMethod> = (
  params: MethodParams<M>,
  signal: AbortSignal,
) => Promise<MethodResult<M>>;

export type MethodTable = { [M in ControlMethod]: MethodHandler<M> };

/** What the pairing methods use; absent when the agent runs with `cloud.enabled: false`. */
export type ControlPairing = Pick<PairingPort, "start" | "status">;

/**
 * The control methods, as thin adapters over {@link CameraControl} and the pairing manager.
 * Without `pairing` the `pair.*` methods answer `HC_ERR_PAIRING_CLOUD_DISABLED`.
 */
export function controlMethods(
  control: CameraControl,
  pairing?: ControlPairing,
  localPairing?: LocalPairingControl,
): MethodTable {
  const needPairing = (): ControlPairing => {
    if (!pairing) throw pairingDisabledError();
    return pairing;
  };
  const needLocal = (): LocalPairingControl => {
    if (!localPairing)
      throw new ApiError("E_NOT_IMPLEMENTED", "local pairing is not available on this agent");
    return localPairing;
  };
  return {
    status: async () => ({ cameras: control.cameras(), host: await control.host() }),
    snapshot: async ({ cameraId }) => {
      const jpeg = await control.snapshot(cameraId);
      return { contentType: "image/jpeg", bytes: jpeg.length, dataBase64: jpeg.toString("base64") };
    },
    record: ({ cameraId, seconds }, signal) => control.recordNow(cameraId, seconds, signal),
    "pair.start": () => needPairing().start(),
    "pair.status": ({ pairingId }) => needPairing().status(pairingId),
    "pair.local": ({ owner, camera }) =>
      needLocal().start({ ...(owner !== undefined && { owner }), ...(camera !== undefined && { camera }) }),
    "viewers.list": async () => ({ viewers: await needLocal().viewers() }),
    "viewers.revoke": async ({ viewerId }) => {
      if (!(await needLocal().revoke(viewerId)))
        throw new ApiError("E_NOT_FOUND", `no local viewer ${viewerId}`);
      return { revoked: true };
    },
  };
}

const CODE_PATTERN = /^(E|HC_ERR)_[A-Z0-9_]+$/;

/**
 * The error body for a failed method: an error carrying a stable code (a catalogue `E_*` code, or an
 * `HC_ERR_*` code such as unknown camera, camera offline, ffmpeg failed) passes it on so scripts can
 * branch on it; anything else is E_INTERNAL. Messages are masked: a camera URL may hold a password.
 */
export function errorBodyFor(err: unknown): ControlErrorBody {
  const message = maskSecretsInText(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CODE_PATTERN.test(code)) return { code, message };
  return { code: "E_INTERNAL", message: message || "internal error" };
}
