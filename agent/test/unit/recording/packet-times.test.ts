import { describe, expect, it } from "vitest";
import { parsePacketTimes } from "../../../src/recording/packet-times.js";

describe("parsePacketTimes", () => {
  it("lists key frames from the file start and the last frame in presentation order", () => {
    const json = JSON.stringify({
      format: { start_time: "1.400000" },
      packets: [
        { pts_time: "1.400000", dts_time: "1.400000", flags: "K_" },
        { pts_time: "1.600000", dts_time: "1.500000", flags: "__" },
        { pts_time: "1.500000", dts_time: "1.600000", flags: "__" },
        { pts_time: "2.500000", dts_time: "2.400000", flags: "K_" },
        { pts_time: "N/A", dts_time: "2.500000", flags: "__" },
      ],
    });
    expect(parsePacketTimes(json, "x")).toEqual({ keyframesMs: [0, 1000], lastFrameMs: 1100 });
  });

  it("rejects a file without video packets", () => {
    expect(() => parsePacketTimes(JSON.stringify({ packets: [] }), "x")).toThrow(/no video packets/);
  });
});
