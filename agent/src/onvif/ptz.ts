import type { Logger } from "@homecam/shared/node";
import type { OnvifCamera, OnvifPreset } from "./client.js";
import { OnvifError } from "./errors.js";

/** The part of a camera PTZ commands use (an {@link OnvifCamera}, or a fake in tests). */
export type PtzDevice = Pick<
  OnvifCamera,
  "ptzCapable" | "continuousMove" | "stop" | "presets" | "gotoPreset"
>;

/** A camera's PTZ device and the profile to move. */
export interface PtzTarget {
  device: PtzDevice;
  profileToken: string;
}

/** Finds a configured camera by id; undefined when unknown or not ONVIF. */
export type PtzCameraLookup = (cameraId: string) => PtzTarget | undefined | Promise<PtzTarget | undefined>;

/** `ptz.move` arguments (the MQTT command body's `args`). */
export interface PtzMoveArgs {
  cameraId: string;
  pan: number;
  tilt: number;
  zoom: number;
  timeoutMs?: number | undefined;
}

/** A validated move: velocities in -1..1, duration clamped. */
export interface PtzMove {
  pan: number;
  tilt: number;
  zoom: number;
  durationMs: number;
}

export const PTZ_MOVE_DEFAULT_MS = 1_000;
export const PTZ_MOVE_MIN_MS = 100;
/** A lost `ptz.stop` must not leave a camera turning for a minute. */
export const PTZ_MOVE_MAX_MS = 10_000;

function axis(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < -1 || value > 1) {
    throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", `${name} must be a number between -1 and 1`);
  }
  return value;
}

/** Move duration: default 1 s, clamped to 100 ms..10 s; throws on a non-number. */
export function clampMoveDuration(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return PTZ_MOVE_DEFAULT_MS;
  if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs)) {
    throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", "timeoutMs must be a number");
  }
  return Math.round(Math.min(PTZ_MOVE_MAX_MS, Math.max(PTZ_MOVE_MIN_MS, timeoutMs)));
}

/** Validate `ptz.move` arguments (pure). */
export function validatePtzMove(args: PtzMoveArgs): PtzMove {
  return {
    pan: axis(args.pan, "pan"),
    tilt: axis(args.tilt, "tilt"),
    zoom: axis(args.zoom, "zoom"),
    durationMs: clampMoveDuration(args.timeoutMs),
  };
}

/** Timer functions, replaceable in tests. */
export interface PtzTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Dependencies of {@link createPtzController}. */
export interface PtzDeps {
  lookup: PtzCameraLookup;
  logger?: Logger;
  timers?: PtzTimers;
}

/** PTZ as agent functions, behind the remote commands `ptz.move`, `ptz.stop` and `ptz.preset`. */
export interface PtzController {
  /** Continuous move for a bounded time: the camera gets an ONVIF timeout and the agent sends Stop too. */
  move(args: PtzMoveArgs): Promise<PtzMove>;
  stop(args: { cameraId: string }): Promise<void>;
  /** Go to a preset given by token (or, failing that, by name). */
  preset(args: { cameraId: string; preset: string }): Promise<{ presetToken: string }>;
  presets(args: { cameraId: string }): Promise<OnvifPreset[]>;
  /** Cancel pending automatic stops (agent shutdown). */
  dispose(): void;
}

const defaultTimers: PtzTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Create the PTZ controller. Commands for one camera run one after another, in arrival order. */
export function createPtzController(deps: PtzDeps): PtzController {
  const timers = deps.timers ?? defaultTimers;
  const pendingStops = new Map<string, unknown>();
  const queues = new Map<string, Promise<unknown>>();

  function serial<T>(cameraId: string, fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(cameraId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    queues.set(cameraId, settled);
    void settled.then(() => {
      if (queues.get(cameraId) === settled) queues.delete(cameraId);
    });
    return next;
  }

  async function target(cameraId: string): Promise<PtzTarget> {
    if (typeof cameraId !== "string" || cameraId === "") {
      throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", "cameraId is required");
    }
    const t = await deps.lookup(cameraId);
    if (!t) throw new OnvifError("HC_ERR_ONVIF_UNKNOWN_CAMERA", `no ONVIF camera "${cameraId}"`);
    if (!t.device.ptzCapable())
      throw new OnvifError("HC_ERR_ONVIF_NO_PTZ", `camera "${cameraId}" has no PTZ`);
    return t;
  }

  function cancelAutoStop(cameraId: string): void {
    const h = pendingStops.get(cameraId);
    if (h !== undefined) timers.clearTimeout(h);
    pendingStops.delete(cameraId);
  }

  async function stopNow(cameraId: string): Promise<void> {
    cancelAutoStop(cameraId);
    const t = await target(cameraId);
    await t.device.stop(t.profileToken);
  }

  return {
    async move(args) {
      const move = validatePtzMove(args);
      return serial(args.cameraId, async () => {
        if (move.pan === 0 && move.tilt === 0 && move.zoom === 0) {
          await stopNow(args.cameraId);
          return move;
        }
        const t = await target(args.cameraId);
        cancelAutoStop(args.cameraId);
        await t.device.continuousMove(t.profileToken, move, move.durationMs);
        // Many cameras ignore the ONVIF timeout; stop them ourselves as well.
        const handle = timers.setTimeout(() => {
          if (pendingStops.get(args.cameraId) !== handle) return;
          pendingStops.delete(args.cameraId);
          serial(args.cameraId, () => t.device.stop(t.profileToken)).catch((err: unknown) =>
            deps.logger?.warn({ cameraId: args.cameraId, err }, "ptz automatic stop failed"),
          );
        }, move.durationMs);
        pendingStops.set(args.cameraId, handle);
        return move;
      });
    },
    stop(args) {
      return serial(args.cameraId, () => stopNow(args.cameraId));
    },
    preset(args) {
      return serial(args.cameraId, async () => {
        if (typeof args.preset !== "string" || args.preset.trim() === "" || args.preset.length > 64) {
          throw new OnvifError(
            "HC_ERR_ONVIF_INVALID_ARGUMENT",
            "preset must be a token of 1 to 64 characters",
          );
        }
        const t = await target(args.cameraId);
        const list = await t.device.presets(t.profileToken);
        const hit = list.find((p) => p.token === args.preset) ?? list.find((p) => p.name === args.preset);
        if (!hit) {
          throw new OnvifError(
            "HC_ERR_ONVIF_NO_PRESET",
            `camera "${args.cameraId}" has no preset "${args.preset}"`,
          );
        }
        cancelAutoStop(args.cameraId);
        await t.device.gotoPreset(t.profileToken, hit.token);
        return { presetToken: hit.token };
      });
    },
    presets(args) {
      return serial(args.cameraId, async () => {
        const t = await target(args.cameraId);
        return t.device.presets(t.profileToken);
      });
    },
    dispose() {
      for (const id of [...pendingStops.keys()]) cancelAutoStop(id);
    },
  };
}
