import { cameraConfigSchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { CameraError } from "../../../src/camera/camera-error.js";
import {
  applySettingsPatch,
  detectorChanged,
  isLiveChange,
  mergeSettingsPatch,
  settingsOf,
} from "../../../src/camera/camera-settings.js";

const base = cameraConfigSchema.parse({ id: "cam", name: "Cam", source: { type: "test" } });
const zone = {
  name: "z",
  mode: "exclude" as const,
  points: [
    [0, 0],
    [1, 0],
    [1, 1],
  ] as [number, number][],
};

describe("camera settings patches", () => {
  it("accumulates patches field by field; later values win; arrays are replaced whole", () => {
    const merged = mergeSettingsPatch(
      { name: "A", motion: { sensitivity: 10, zones: [zone, zone] }, recording: { preRollSeconds: 2 } },
      { motion: { sensitivity: 20, zones: [zone] }, recording: { postRollSeconds: 3 } },
    );
    expect(merged).toEqual({
      name: "A",
      motion: { sensitivity: 20, zones: [zone] },
      recording: { preRollSeconds: 2, postRollSeconds: 3 },
    });
    expect(mergeSettingsPatch({}, {})).toEqual({});
    // A member explicitly undefined changes nothing.
    expect(
      mergeSettingsPatch({ motion: { sensitivity: 5 } }, { motion: { sensitivity: undefined } }),
    ).toEqual({
      motion: { sensitivity: 5 },
    });
  });

  it("applies a patch over a camera, keeping every field it does not name", () => {
    const next = applySettingsPatch(base, { name: "Porch", motion: { sensitivity: 30 } });
    expect(next).toEqual({ ...base, name: "Porch", motion: { ...base.motion, sensitivity: 30 } });
    expect(applySettingsPatch(base, {})).toEqual(base);
  });

  it("refuses a patch that does not make a valid camera", () => {
    const bad = () => applySettingsPatch(base, { motion: { sensitivity: 0 } });
    expect(bad).toThrow(CameraError);
    expect(bad).toThrow(/motion\.sensitivity/);
  });

  it.each([
    ["name", { name: "Other" }, true],
    ["sensitivity", { motion: { sensitivity: 1 } }, true],
    ["motion off", { motion: { enabled: false } }, true],
    ["zones", { motion: { zones: [zone] } }, true],
    ["analysis rate", { motion: { analysisFps: 2 } }, false],
    ["event gap", { motion: { eventGapSeconds: 9 } }, false],
    ["recording", { recording: { preRollSeconds: 1 } }, false],
  ])("%s is a live change: %s", (_what, patch, live) => {
    expect(isLiveChange(base, applySettingsPatch(base, patch))).toBe(live);
  });

  it("rebuilds the detector only for sensitivity or zones", () => {
    const m = base.motion;
    expect(detectorChanged(m, { ...m, sensitivity: 1 })).toBe(true);
    expect(detectorChanged(m, { ...m, zones: [zone] })).toBe(true);
    expect(detectorChanged(m, { ...m, enabled: false })).toBe(false);
    expect(detectorChanged(m, { ...m })).toBe(false);
  });

  it("reports a camera's settings with its source kind and privacy mode", () => {
    expect(settingsOf(base, false)).toEqual({
      id: "cam",
      name: "Cam",
      enabled: true,
      armed: false,
      sourceKind: "test",
      motion: base.motion,
      recording: base.recording,
    });
  });
});
