import { describe, expect, it } from "vitest";
import { selectProfiles } from "../../../src/onvif/profile-select.js";
import type { OnvifProfile } from "../../../src/onvif/soap-parse.js";

const p = (
  token: string,
  encoding: string | undefined,
  width?: number,
  height?: number,
  extra: Partial<OnvifProfile> = {},
): OnvifProfile => ({
  token,
  name: token,
  ptz: false,
  ...(encoding ? { encoding } : {}),
  ...(width && height ? { width, height } : {}),
  videoSourceToken: "VS1",
  ...extra,
});

describe("selectProfiles", () => {
  it.each<[string, OnvifProfile[], string | undefined, string, string | undefined]>([
    ["main + sub", [p("000", "H264", 1280, 720), p("001", "H264", 640, 360)], undefined, "000", "001"],
    [
      "sub listed first",
      [p("sub", "H264", 640, 360), p("main", "H264", 1920, 1080)],
      undefined,
      "main",
      "sub",
    ],
    ["single profile", [p("only", "H264", 1280, 720)], undefined, "only", undefined],
    [
      "H.264 wins over bigger H.265",
      [p("h265", "H265", 3840, 2160), p("h264", "H264", 1920, 1080)],
      undefined,
      "h264",
      undefined,
    ],
    [
      "H.265 when no H.264",
      [p("jpeg", "JPEG", 1920, 1080), p("h265", "H265", 1280, 720)],
      undefined,
      "h265",
      undefined,
    ],
    ["tie → first", [p("a", "H264", 1280, 720), p("b", "H264", 1280, 720)], undefined, "a", undefined],
    [
      "profiles without encoder ignored",
      [p("audio", undefined), p("v", "H264", 640, 480)],
      undefined,
      "v",
      undefined,
    ],
    [
      "smallest substream ≥ 320 wide",
      [
        p("m", "H264", 1920, 1080),
        p("s1", "H264", 640, 360),
        p("s2", "H264", 352, 288),
        p("s3", "H264", 176, 144),
      ],
      undefined,
      "m",
      "s2",
    ],
    [
      "largest when all are tiny",
      [p("m", "H264", 1280, 720), p("t1", "H264", 160, 90), p("t2", "H264", 176, 144)],
      undefined,
      "m",
      "t2",
    ],
    ["substream may be MJPEG", [p("m", "H264", 1280, 720), p("s", "JPEG", 640, 360)], undefined, "m", "s"],
    [
      "other video source is not a substream",
      [p("m", "H264", 1280, 720), p("s", "H264", 640, 360, { videoSourceToken: "VS2" })],
      undefined,
      "m",
      undefined,
    ],
    ["configured token", [p("000", "H264", 1280, 720), p("001", "H264", 640, 360)], "001", "001", undefined],
    [
      "configured main still gets a substream",
      [p("a", "H265", 2560, 1440), p("b", "H264", 640, 360)],
      "a",
      "a",
      "b",
    ],
  ])("%s", (_name, profiles, configured, main, analysis) => {
    const choice = selectProfiles(profiles, configured);
    expect(choice.main.token).toBe(main);
    expect(choice.analysis?.token).toBe(analysis);
    expect(choice.reason).toContain(main);
  });

  it("fails with HC_ERR_ONVIF_NO_PROFILE for an unknown configured token, listing the known ones", () => {
    expect(() => selectProfiles([p("000", "H264", 1, 1)], "main")).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_NO_PROFILE", message: expect.stringContaining("000") }),
    );
  });

  it("fails with HC_ERR_ONVIF_NO_PROFILE when no profile has video", () => {
    expect(() => selectProfiles([p("audio", undefined)])).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_NO_PROFILE" }),
    );
    expect(() => selectProfiles([])).toThrow(expect.objectContaining({ code: "HC_ERR_ONVIF_NO_PROFILE" }));
  });
});
