import { describe, expect, it } from "vitest";
import { injectRtspCredentials } from "../../../src/onvif/stream-uri.js";

describe("injectRtspCredentials", () => {
  it.each([
    [
      "rtsp://10.0.0.2:554/Streaming/Channels/101",
      "admin",
      "pw",
      "rtsp://admin:pw@10.0.0.2:554/Streaming/Channels/101",
    ],
    [
      "rtsp://10.0.0.2/live?channel=1&subtype=0",
      "admin",
      "pw",
      "rtsp://admin:pw@10.0.0.2/live?channel=1&subtype=0",
    ],
    ["rtsps://cam.local/s", "u", "p", "rtsps://u:p@cam.local/s"],
    ["rtsp://[fe80::1]:554/s", "u", "p", "rtsp://u:p@[fe80::1]:554/s"],
    // Reserved characters are percent-encoded (ffmpeg decodes them before answering the challenge).
    [
      "rtsp://h/s",
      "ad@min",
      "p@ss:w/o#rd?!'()*",
      "rtsp://ad%40min:p%40ss%3Aw%2Fo%23rd%3F%21%27%28%29%2A@h/s",
    ],
    ["rtsp://h/s", "üser", "pässwörd", "rtsp://%C3%BCser:p%C3%A4ssw%C3%B6rd@h/s"],
    // A camera that already put credentials in keeps them.
    ["rtsp://cam:own@h/s", "admin", "pw", "rtsp://cam:own@h/s"],
    // Nothing to inject.
    ["rtsp://h/s", undefined, undefined, "rtsp://h/s"],
    ["rtsp://h/s", "", "pw", "rtsp://h/s"],
    ["rtsp://h/s", "viewer", undefined, "rtsp://viewer@h/s"],
    ["  rtsp://h/s  ", "u", "p", "rtsp://u:p@h/s"],
  ])("%s + %s", (uri, user, pass, expected) => {
    expect(injectRtspCredentials(uri, user, pass)).toBe(expected);
  });

  it.each([["http://h/s"], ["not a uri"], ["rtsp:///nohost"]])("refuses %s", (uri) => {
    expect(() => injectRtspCredentials(uri, "u", "p")).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_PROTOCOL" }),
    );
  });

  it("round-trips: URL parsing gives back the exact credentials", () => {
    const out = new URL(injectRtspCredentials("rtsp://h/s", "a b@c", "x:y%z&"));
    expect(decodeURIComponent(out.username)).toBe("a b@c");
    expect(decodeURIComponent(out.password)).toBe("x:y%z&");
  });
});
