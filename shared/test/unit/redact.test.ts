import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskSecretsInText } from "../../src/redact.js";

describe("maskSecretsInText", () => {
  it.each([
    ["rtsp://admin:pw123@10.0.0.2/stream", "rtsp://admin:***@10.0.0.2/stream"],
    ["-i rtsp://u:p@h:554/a -c copy", "-i rtsp://u:***@h:554/a -c copy"],
    ["postgres://homecam:secret@db/homecam", "postgres://homecam:***@db/homecam"],
    ["http://cam/video?user=a&password=hunter2&x=1", "http://cam/video?user=a&password=***&x=1"],
    ["https://s3/b/k?X-Amz-Signature=abcdef", "https://s3/b/k?X-Amz-Signature=***"],
    ["rtsp://10.0.0.2/stream", "rtsp://10.0.0.2/stream"],
  ])("%s", (input, expected) => {
    expect(maskSecretsInText(input)).toBe(expected);
  });

  it("never leaves a random password inside a URL", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9!$%^*()_+=-]{1,20}$/), (pw) => {
        const out = maskSecretsInText(`ffmpeg -i rtsp://admin:${pw}@192.168.1.20/stream1`);
        expect(out).not.toContain(`:${pw}@`);
      }),
    );
  });
});
