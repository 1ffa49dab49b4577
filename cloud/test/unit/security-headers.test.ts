import { describe, expect, it } from "vitest";
import { hstsHeader, SECURITY_HEADERS } from "../../src/http/security-headers.js";

describe("security headers", () => {
  it("forbid framing, sniffing, referrers and every fetch by default", () => {
    expect(SECURITY_HEADERS["X-Frame-Options"]).toBe("DENY");
    expect(SECURITY_HEADERS["X-Content-Type-Options"]).toBe("nosniff");
    expect(SECURITY_HEADERS["Referrer-Policy"]).toBe("no-referrer");
    expect(SECURITY_HEADERS["Content-Security-Policy"]).toMatch(/^default-src 'none';/);
    expect(SECURITY_HEADERS["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
  });

  it.each([
    ["https://cam.example.org", "max-age=31536000; includeSubDomains"],
    ["http://127.0.0.1:4001", undefined],
  ])("HSTS for %s", (url, expected) => {
    expect(hstsHeader(url)).toBe(expected);
  });
});
