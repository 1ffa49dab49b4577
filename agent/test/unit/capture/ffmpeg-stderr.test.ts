import { describe, expect, it } from "vitest";
import { RawvideoSizeProbe, StderrTail } from "../../../src/capture/ffmpeg-stderr.js";
import { classifyFfmpegStderr } from "../../../src/capture/index.js";

// Real lines from ffmpeg 5.1 (Debian) against the RTSP simulator, a missing device and a bad file.
describe("classifyFfmpegStderr", () => {
  it.each([
    [
      [
        "[rtsp @ 0x55c003abb240] method DESCRIBE failed: 401 Unauthorized",
        "rtsp://admin:***@127.0.0.1:18555/secure: Server returned 401 Unauthorized (authorization failed)",
      ],
      "unauthorized",
    ],
    [["rtsp://127.0.0.1:18554/nope: Server returned 404 Not Found"], "not-found"],
    [
      [
        "[tcp @ 0x558d577e4e80] Connection to tcp://127.0.0.1:18559?timeout=0 failed: Connection refused",
        "rtsp://127.0.0.1:18559/cam: Connection refused",
      ],
      "connection-refused",
    ],
    [
      [
        "[video4linux2,v4l2 @ 0x5581] Cannot open video device /dev/video3: No such file or directory",
        "/dev/video3: No such file or directory",
      ],
      "no-device",
    ],
    [["[video4linux2,v4l2 @ 0x55] ioctl(VIDIOC_STREAMON): Device or resource busy"], "device-busy"],
    [
      ["[tcp @ 0x55] Connection to tcp://10.0.0.5:554?timeout=5000000 failed: Connection timed out"],
      "timeout",
    ],
    [["rtsp://10.0.0.5/s: Operation timed out"], "timeout"],
    [["[tcp @ 0x55] Failed to resolve hostname nocam.lan: Name or service not known"], "dns"],
    [["[tcp @ 0x55] Connection to tcp://10.9.9.9:554 failed: No route to host"], "unreachable"],
    [["/tmp/x.ts: Invalid data found when processing input"], "invalid-data"],
    [
      [
        "[tcp @ 0x55] Connection to tcp://h:554?timeout=5000000 failed: Invalid data found when processing input",
      ],
      "invalid-data",
    ],
    [["[rtsp @ 0x55] UDP timeout, retrying with TCP", "rtsp://h/s: Operation not permitted"], "timeout"],
    [["frame=  100 fps= 10", "Exiting normally, received signal 15."], undefined],
  ])("%j → %s", (lines, code) => {
    expect(classifyFfmpegStderr(lines)?.code).toBe(code);
  });

  it("prefers the specific cause over the generic line that follows it", () => {
    const lines = ["method DESCRIBE failed: 401 Unauthorized", "Invalid data found when processing input"];
    expect(classifyFfmpegStderr(lines)?.message).toMatch(/^401 unauthorized/);
  });
});

describe("StderrTail", () => {
  it("keeps the last lines, joins lines split across chunks, and masks credentials", () => {
    const tail = new StderrTail(3);
    expect(tail.push("one\ntw")).toEqual(["one"]);
    expect(tail.push("o\r\nrtsp://admin:hunter2@cam/s: 401\n\nfour\nfi")).toEqual([
      "two",
      "rtsp://admin:***@cam/s: 401",
      "four",
    ]);
    expect(tail.lines()).toEqual(["two", "rtsp://admin:***@cam/s: 401", "four"]);
    expect(tail.last()).toBe("four");
  });
});

describe("RawvideoSizeProbe", () => {
  const dump = [
    "Input #0, rtsp, from 'rtsp://127.0.0.1:18554/cam':",
    "  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, smpte170m, progressive), 640x360 [SAR 1:1 DAR 16:9], 10 fps",
    "Output #0, segment, to '/ring/seg-%09d.ts':",
    "  Stream #0:0: Video: h264, yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], q=2-31, 10 fps, 90k tbn",
    "Output #1, rawvideo, to 'pipe:1':",
    "  Metadata:",
    "  Stream #1:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 320x180 [SAR 1:1 DAR 16:9], q=2-31, 2304 kb/s, 5 fps, 5 tbn",
  ];
  it("reads the analysis output's size, not an input's or another output's", () => {
    const probe = new RawvideoSizeProbe();
    const found = dump.map((l) => probe.feed(l)).filter(Boolean);
    expect(found).toEqual([{ width: 320, height: 180 }]);
  });
});
