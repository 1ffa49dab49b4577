import { selectBoard } from "@homecam/hardware";
import { cameraConfigSchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { startupSummary } from "../../../src/camera/startup-summary.js";

const cam = (id: string, input: Record<string, unknown>) =>
  cameraConfigSchema.parse({ id, name: id, ...input });

describe("startupSummary", () => {
  it("says per camera how it records and which board was chosen, and why", () => {
    const s = startupSummary(
      [
        cam("yard", { source: { type: "test", width: 640, height: 360 } }),
        cam("door", {
          source: { type: "rtsp", url: "rtsp://u:secret@cam/main" },
          motion: { enabled: false },
        }),
        cam("pi", { source: { type: "picam" }, recording: { enabled: false } }),
        cam("gate", { source: { type: "onvif", host: "10.0.0.9" } }),
        cam("old", { enabled: false, source: { type: "test" } }),
      ],
      selectBoard({ deviceTreeModel: "Raspberry Pi 4 Model B Rev 1.4\0" }),
    );
    expect(s.board).toEqual({
      id: "raspberry-pi-4",
      name: "Raspberry Pi 4",
      reason: 'device-tree model "Raspberry Pi 4 Model B Rev 1.4"',
    });
    expect(s.cameras.map((c) => [c.id, c.source, c.recording])).toEqual([
      ["yard", "test", "libx264"],
      ["door", "rtsp", "copy"],
      ["pi", "picam", "copy"],
      ["gate", "onvif", "after-connect"],
      ["old", "test", "disabled"],
    ]);
    expect(s.cameras[0]?.analysis).toBe("320x180 @ 5 fps");
    expect(s.cameras[1]?.analysis).toBe("320 wide @ 5 fps");
    expect(s.text).toContain("board Raspberry Pi 4 (device-tree model");
    expect(s.text).toContain(
      "yard: test source, recording re-encoded with libx264, analysis 320x180 @ 5 fps",
    );
    expect(s.text).toContain(
      "door: rtsp source, recording by stream copy, analysis 320 wide @ 5 fps, motion off",
    );
    expect(s.text).toContain("pi: picam source, recording by stream copy");
    expect(s.text).toContain("clips off");
    expect(s.text).not.toContain("secret");
  });

  it("says so when there is no camera", () => {
    expect(startupSummary([], selectBoard({})).text).toBe(
      "board Linux computer (no device-tree model (PC or VM)); no cameras configured",
    );
  });
});
