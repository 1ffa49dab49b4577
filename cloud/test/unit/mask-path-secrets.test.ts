import { describe, expect, it } from "vitest";
import { maskPathSecrets } from "../../src/http/request-context.js";

describe("maskPathSecrets", () => {
  it("masks the pairing id of /api/qr/<id>/info and leaves other paths alone", () => {
    expect(maskPathSecrets("/api/qr/AbCdEfGhIjKlMnOpQrStUvWxYz012345/info")).toBe("/api/qr/***/info");
    expect(maskPathSecrets("/api/qr/generate")).toBe("/api/qr/generate");
    expect(maskPathSecrets("/api/qr/validate")).toBe("/api/qr/validate");
    expect(maskPathSecrets("/api/cameras/abc")).toBe("/api/cameras/abc");
  });
});
