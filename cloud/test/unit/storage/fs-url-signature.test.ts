import { describe, expect, it } from "vitest";
import { type FsUrlClaims, signFsUrl, verifyFsUrl } from "../../../src/storage/fs-url-signature.js";

const secret = Buffer.alloc(32, 7);
const claims: FsUrlClaims = {
  method: "PUT",
  key: "devices/d1/clip.mp4",
  exp: 1_700_000_000,
  contentLength: 1000,
};

describe("fs URL signatures", () => {
  it("verifies its own signature (43 base64url chars)", () => {
    const sig = signFsUrl(secret, claims);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyFsUrl(secret, claims, sig)).toBe(true);
  });

  it.each<[string, FsUrlClaims]>([
    ["method", { ...claims, method: "GET" }],
    ["key", { ...claims, key: "devices/d1/clip2.mp4" }],
    ["expiry", { ...claims, exp: claims.exp + 1 }],
    ["length", { ...claims, contentLength: 1001 }],
    ["length removed", { ...claims, contentLength: undefined }],
    ["download name added", { ...claims, downloadName: "a.mp4" }],
  ])("a changed %s invalidates it", (_what, changed) => {
    expect(verifyFsUrl(secret, changed, signFsUrl(secret, claims))).toBe(false);
  });

  it("refuses another secret's signature, a truncated one and garbage", () => {
    const sig = signFsUrl(secret, claims);
    expect(verifyFsUrl(Buffer.alloc(32, 8), claims, sig)).toBe(false);
    expect(verifyFsUrl(secret, claims, sig.slice(0, -1))).toBe(false);
    expect(verifyFsUrl(secret, claims, "")).toBe(false);
  });
});
