import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OnvifPreset, PtzVelocity } from "../../../src/onvif/client.js";
import {
  clampMoveDuration,
  createPtzController,
  PTZ_MOVE_DEFAULT_MS,
  PTZ_MOVE_MAX_MS,
  PTZ_MOVE_MIN_MS,
  type PtzDevice,
  validatePtzMove,
} from "../../../src/onvif/ptz.js";

describe("PTZ validation", () => {
  it.each([[{ pan: 1, tilt: -1, zoom: 0 }], [{ pan: 0.25, tilt: 0, zoom: -0.5 }]])("accepts %o", (v) => {
    expect(validatePtzMove({ cameraId: "c", ...v })).toEqual({ ...v, durationMs: PTZ_MOVE_DEFAULT_MS });
  });

  it.each([
    [{ pan: 1.01, tilt: 0, zoom: 0 }, "pan"],
    [{ pan: 0, tilt: -2, zoom: 0 }, "tilt"],
    [{ pan: 0, tilt: 0, zoom: Number.NaN }, "zoom"],
    [{ pan: Number.POSITIVE_INFINITY, tilt: 0, zoom: 0 }, "pan"],
    [{ pan: "0.5" as unknown as number, tilt: 0, zoom: 0 }, "pan"],
  ])("rejects %o (%s)", (v, axis) => {
    expect(() => validatePtzMove({ cameraId: "c", ...v })).toThrow(
      expect.objectContaining({
        code: "HC_ERR_ONVIF_INVALID_ARGUMENT",
        message: expect.stringContaining(axis),
      }),
    );
  });

  it.each([
    [undefined, PTZ_MOVE_DEFAULT_MS],
    [1, PTZ_MOVE_MIN_MS],
    [-5, PTZ_MOVE_MIN_MS],
    [2500.4, 2500],
    [60_000, PTZ_MOVE_MAX_MS],
    [Number.POSITIVE_INFINITY, PTZ_MOVE_MAX_MS],
  ])("clamps duration %s → %s", (input, out) => {
    expect(clampMoveDuration(input)).toBe(out);
  });

  it("rejects a NaN duration", () => {
    expect(() => clampMoveDuration(Number.NaN)).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_INVALID_ARGUMENT" }),
    );
  });
});

function fakeDevice(opts: { ptz?: boolean; presets?: OnvifPreset[] } = {}) {
  const calls: string[] = [];
  const device: PtzDevice = {
    ptzCapable: () => opts.ptz ?? true,
    continuousMove: async (token: string, v: PtzVelocity, ms?: number) => {
      calls.push(`move ${token} ${v.pan},${v.tilt},${v.zoom} ${ms}`);
    },
    stop: async (token: string) => {
      calls.push(`stop ${token}`);
    },
    presets: async () =>
      opts.presets ?? [
        { token: "1", name: "Home" },
        { token: "7", name: "Gate" },
      ],
    gotoPreset: async (token: string, preset: string) => {
      calls.push(`goto ${token} ${preset}`);
    },
  };
  return { device, calls };
}

describe("PTZ controller", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("moves with a clamped duration and stops by itself", async () => {
    const { device, calls } = fakeDevice();
    const ptz = createPtzController({
      lookup: (id) => (id === "cam" ? { device, profileToken: "000" } : undefined),
    });
    await expect(
      ptz.move({ cameraId: "cam", pan: 0.5, tilt: 0, zoom: 0, timeoutMs: 60_000 }),
    ).resolves.toMatchObject({
      durationMs: PTZ_MOVE_MAX_MS,
    });
    expect(calls).toEqual([`move 000 0.5,0,0 ${PTZ_MOVE_MAX_MS}`]);
    await vi.advanceTimersByTimeAsync(PTZ_MOVE_MAX_MS - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([`move 000 0.5,0,0 ${PTZ_MOVE_MAX_MS}`, "stop 000"]);
  });

  it("a new move replaces the pending automatic stop; ptz.stop cancels it", async () => {
    const { device, calls } = fakeDevice();
    const ptz = createPtzController({ lookup: () => ({ device, profileToken: "p" }) });
    await ptz.move({ cameraId: "c", pan: 1, tilt: 0, zoom: 0, timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(600);
    await ptz.move({ cameraId: "c", pan: -1, tilt: 0, zoom: 0, timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(600);
    expect(calls.filter((c) => c.startsWith("stop"))).toEqual([]);
    await ptz.stop({ cameraId: "c" });
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual(["move p 1,0,0 1000", "move p -1,0,0 1000", "stop p"]);
  });

  it("a zero velocity is a stop", async () => {
    const { device, calls } = fakeDevice();
    const ptz = createPtzController({ lookup: () => ({ device, profileToken: "p" }) });
    await ptz.move({ cameraId: "c", pan: 0, tilt: 0, zoom: 0 });
    expect(calls).toEqual(["stop p"]);
  });

  it("runs one camera's commands in order", async () => {
    const order: string[] = [];
    const slow: PtzDevice = {
      ...fakeDevice().device,
      continuousMove: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            order.push("move");
            resolve();
          }, 50),
        ),
      stop: async () => {
        order.push("stop");
      },
    };
    const ptz = createPtzController({ lookup: () => ({ device: slow, profileToken: "p" }) });
    const a = ptz.move({ cameraId: "c", pan: 1, tilt: 0, zoom: 0 });
    const b = ptz.stop({ cameraId: "c" });
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([a, b]);
    expect(order).toEqual(["move", "stop"]);
  });

  it("goes to a preset by token or by name", async () => {
    const { device, calls } = fakeDevice();
    const ptz = createPtzController({ lookup: () => ({ device, profileToken: "p" }) });
    await expect(ptz.preset({ cameraId: "c", preset: "7" })).resolves.toEqual({ presetToken: "7" });
    await expect(ptz.preset({ cameraId: "c", preset: "Home" })).resolves.toEqual({ presetToken: "1" });
    await expect(ptz.preset({ cameraId: "c", preset: "nope" })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_NO_PRESET",
    });
    await expect(ptz.preset({ cameraId: "c", preset: "" })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_INVALID_ARGUMENT",
    });
    expect(calls).toEqual(["goto p 7", "goto p 1"]);
    await expect(ptz.presets({ cameraId: "c" })).resolves.toHaveLength(2);
  });

  it("unknown camera, camera without PTZ, invalid args", async () => {
    const noPtz = fakeDevice({ ptz: false });
    const ptz = createPtzController({
      lookup: async (id) => (id === "fixed" ? { device: noPtz.device, profileToken: "p" } : undefined),
    });
    await expect(ptz.stop({ cameraId: "ghost" })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_UNKNOWN_CAMERA",
    });
    await expect(ptz.move({ cameraId: "fixed", pan: 1, tilt: 0, zoom: 0 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_NO_PTZ",
    });
    await expect(ptz.move({ cameraId: "fixed", pan: 3, tilt: 0, zoom: 0 })).rejects.toMatchObject({
      code: "HC_ERR_ONVIF_INVALID_ARGUMENT",
    });
    expect(noPtz.calls).toEqual([]);
  });

  it("dispose cancels the automatic stops", async () => {
    const { device, calls } = fakeDevice();
    const ptz = createPtzController({ lookup: () => ({ device, profileToken: "p" }) });
    await ptz.move({ cameraId: "c", pan: 1, tilt: 0, zoom: 0 });
    ptz.dispose();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toEqual(["move p 1,0,0 1000"]);
  });
});
