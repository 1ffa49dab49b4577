import { describe, expect, it } from "vitest";
import { refusePushEndpoint } from "../../../src/notifications/push-endpoint.js";

describe("refusePushEndpoint", () => {
  it("accepts push services named by host over https", () => {
    for (const url of [
      "https://fcm.googleapis.com/fcm/send/abc:def",
      "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
      "https://web.push.apple.com/QGx",
    ]) {
      expect(refusePushEndpoint(url, false), url).toBeNull();
    }
  });

  it("refuses plain http, IP literals, localhost and credentials", () => {
    expect(refusePushEndpoint("http://fcm.googleapis.com/x", false)).toBe("must be https://");
    for (const url of [
      "https://10.0.0.1/x",
      "https://[::1]/x",
      "https://169.254.169.254/x",
      "https://localhost/x",
      "https://a.localhost/x",
    ]) {
      expect(refusePushEndpoint(url, false), url).toBe("must name a push service by host name");
    }
    expect(refusePushEndpoint("https://u:p@push.example.com/x", false)).toBe("credentials in the endpoint");
    expect(refusePushEndpoint("not a url", false)).toBe("not a URL");
  });

  it("allows loopback http only with the explicit switch", () => {
    for (const url of ["http://127.0.0.1:9/p", "http://localhost:9/p", "http://[::1]:9/p"]) {
      expect(refusePushEndpoint(url, false), url).not.toBeNull();
      expect(refusePushEndpoint(url, true), url).toBeNull();
    }
    expect(refusePushEndpoint("http://10.0.0.1/p", true)).toBe("must be https://");
    expect(refusePushEndpoint("ftp://127.0.0.1/p", true)).toBe("must be http(s)");
  });
});
