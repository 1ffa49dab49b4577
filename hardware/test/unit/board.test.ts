import { describe, expect, it } from "vitest";
import { selectBoard } from "../../src/board.js";

describe("selectBoard", () => {
  it.each([
    ["Raspberry Pi Zero 2 W Rev 1.0\0", "raspberry-pi-zero-2"],
    ["Raspberry Pi 3 Model B Plus Rev 1.3\0", "raspberry-pi-3"],
    ["Raspberry Pi 4 Model B Rev 1.4\0", "raspberry-pi-4"],
    ["Raspberry Pi Compute Module 4 Rev 1.0\0", "raspberry-pi-4"],
    ["Raspberry Pi 5 Model B Rev 1.0\0", "raspberry-pi-5"],
    ["Pine64 RockPro64\0", "generic-linux"],
  ])("%j → %s", (model, id) => {
    const choice = selectBoard({ deviceTreeModel: model });
    expect(choice.profile.id).toBe(id);
    expect(choice.reason).toContain(model.replace("\0", ""));
  });

  it("prefers Termux and falls back to a generic PC with a reason", () => {
    expect(selectBoard({ termux: true, deviceTreeModel: "x" }).profile.id).toBe("termux");
    expect(selectBoard({})).toMatchObject({
      profile: { id: "generic-linux" },
      reason: expect.stringMatching(/PC/),
    });
  });

  it("gives the Pi 5 no hardware encoder (it has none) and the Zero 2 the lowest analysis rate", () => {
    expect(selectBoard({ deviceTreeModel: "Raspberry Pi 5 Model B" }).profile.preferredEncoders).toEqual([]);
    expect(selectBoard({ deviceTreeModel: "Raspberry Pi Zero 2 W" }).profile.defaultAnalysisFps).toBe(3);
  });
});
