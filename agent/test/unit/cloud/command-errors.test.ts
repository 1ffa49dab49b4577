import { ApiError } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { CameraError, type CameraErrorCode } from "../../../src/camera/camera-error.js";
import { commandFailure, wireMessage } from "../../../src/cloud/command-errors.js";
import { OnvifError } from "../../../src/onvif/errors.js";
import { RecordingError } from "../../../src/recording/recording-error.js";

describe("commandFailure", () => {
  it.each<[CameraErrorCode, string]>([
    ["HC_ERR_CAMERA_NOT_FOUND", "E_NOT_FOUND"],
    ["HC_ERR_CAMERA_DISABLED", "E_DEVICE_OFFLINE"],
    ["HC_ERR_CAMERA_OFFLINE", "E_DEVICE_OFFLINE"],
    ["HC_ERR_CAMERA_STOPPED", "E_DEVICE_OFFLINE"],
    ["HC_ERR_CAMERA_DISARMED", "E_DEVICE_OFFLINE"],
    ["HC_ERR_CAMERA_EXISTS", "E_CONFLICT"],
    ["HC_ERR_CAMERA_LIMIT", "E_CONFLICT"],
    ["HC_ERR_CAMERA_INVALID_SETTINGS", "E_VALIDATION"],
    ["HC_ERR_CAMERA_NOT_SUPPORTED", "E_NOT_IMPLEMENTED"],
  ])("maps %s to %s", (code, expected) => {
    expect(commandFailure(new CameraError(code, "why"))).toEqual({ code: expected, message: "why" });
  });

  it("keeps catalogue codes, maps ONVIF and recording codes, and makes the rest E_INTERNAL", () => {
    expect(commandFailure(new ApiError("E_VALIDATION", "bad"))).toEqual({
      code: "E_VALIDATION",
      message: "bad",
    });
    expect(commandFailure(new OnvifError("HC_ERR_ONVIF_NO_PTZ", "no ptz")).code).toBe("E_NOT_IMPLEMENTED");
    expect(commandFailure(new OnvifError("HC_ERR_ONVIF_TIMEOUT", "slow")).code).toBe("E_TIMEOUT");
    expect(commandFailure(new RecordingError("HC_ERR_RECORDING_INVALID_ARGUMENT", "x")).code).toBe(
      "E_VALIDATION",
    );
    expect(commandFailure(new RecordingError("HC_ERR_RECORDING_FFMPEG", "x")).code).toBe("E_INTERNAL");
    expect(commandFailure(new Error("disk on fire"))).toEqual({
      code: "E_INTERNAL",
      message: "the agent failed: disk on fire",
    });
    expect(commandFailure("a string").code).toBe("E_INTERNAL");
    expect(commandFailure(null).code).toBe("E_INTERNAL");
  });

  it("masks credentials and bounds the message", () => {
    const masked = commandFailure(new Error("cannot open rtsp://admin:hunter2@10.0.0.5/stream"));
    expect(masked.message).not.toContain("hunter2");
    expect(wireMessage("x".repeat(5000))).toHaveLength(1024);
  });
});
