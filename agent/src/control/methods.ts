import { maskSecretsInText } from "@homecam/shared";
import type { CameraControl } from "../camera/control.js";
import type { ControlErrorBody, ControlMethod, MethodParams, MethodResult } from "./protocol.js";

/** One method's implementation: validated params in, a JSON-serialisable result out. */
export type MethodHandler<M extends ControlMethod> = (
  params: MethodParams<M>,
  signal: AbortSignal,
) => Promise<MethodResult<M>>;

export type MethodTable = { [M in ControlMethod]: MethodHandler<M> };

/** The control methods, as thin adapters over {@link CameraControl}. */
export function controlMethods(control: CameraControl): MethodTable {
  return {
    status: async () => ({ cameras: control.cameras(), host: await control.host() }),
    snapshot: async ({ cameraId }) => {
      const jpeg = await control.snapshot(cameraId);
      return { contentType: "image/jpeg", bytes: jpeg.length, dataBase64: jpeg.toString("base64") };
    },
    record: ({ cameraId, seconds }, signal) => control.recordNow(cameraId, seconds, signal),
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
