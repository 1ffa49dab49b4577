import { describe, expect, it } from "vitest";
import { parseProbeJson } from "../../../src/recording/ffprobe.js";

describe("parseProbeJson", () => {
  it("falls back to the container duration (fragmented MP4 has no stream duration)", () => {
    const json = JSON.stringify({
      streams: [{ codec_name: "h264", width: 640, height: 360, nb_read_packets: "80" }],
      format: { duration: "8.000000" },
    });
    expect(parseProbeJson(json, "x", true)).toEqual({
      codec: "h264",
      width: 640,
      height: 360,
      durationMs: 8000,
      frames: 80,
    });
    expect(parseProbeJson(json, "x", false).frames).toBeUndefined();
  });

  it("gives a still image a zero duration", () => {
    const json = JSON.stringify({ streams: [{ codec_name: "mjpeg", width: 320, height: 180 }], format: {} });
    expect(parseProbeJson(json, "x", false).durationMs).toBe(0);
  });

  it.each(["not json", JSON.stringify({ streams: [] })])("rejects %s", (json) => {
    expect(() => parseProbeJson(json, "x", false)).toThrow(/x/);
  });
});
