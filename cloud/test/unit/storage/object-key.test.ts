import { ApiError, deviceObjectPrefix, storageConfigSchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { contentTypeForKey } from "../../../src/storage/content-type.js";
import { assertKeyOfDevice, parseObjectKey } from "../../../src/storage/object-key.js";

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    return err instanceof ApiError ? err.code : "not-an-ApiError";
  }
}

describe("object keys", () => {
  it.each([
    ["devices/d1/cam1/2024/clip.mp4", null],
    ["devices/d1/.hidden.jpg", null],
    ["devices/d1/../d2/clip.mp4", "E_VALIDATION"],
    ["devices/d1/./clip.mp4", "E_VALIDATION"],
    ["/devices/d1/clip.mp4", "E_VALIDATION"],
    ["devices//d1/clip.mp4", "E_VALIDATION"],
    ["devices/d1/clip.mp4/", "E_VALIDATION"],
    ["devices/d1/%2e%2e/x", "E_VALIDATION"],
    ["devices\\d1\\clip.mp4", "E_VALIDATION"],
    ["", "E_VALIDATION"],
    [`devices/d1/${"a".repeat(600)}`, "E_VALIDATION"],
  ])("parseObjectKey(%j) → %s", (key, code) => {
    expect(codeOf(() => parseObjectKey(key))).toBe(code);
  });

  it.each([
    ["devices/d1/clip.mp4", "d1", null],
    ["devices/d1/cam/a/b.jpg", "d1", null],
    ["devices/d2/clip.mp4", "d1", "E_FORBIDDEN"],
    ["devices/d10/clip.mp4", "d1", "E_FORBIDDEN"],
    ["devices/d1", "d1", "E_FORBIDDEN"],
    ["devices/d1/", "d1", "E_VALIDATION"],
    ["other/d1/clip.mp4", "d1", "E_FORBIDDEN"],
    ["devices/d1/../d2/clip.mp4", "d1", "E_VALIDATION"],
    ["/devices/d1/clip.mp4", "d1", "E_VALIDATION"],
  ])("assertKeyOfDevice(%j, %j) → %s", (key, deviceId, code) => {
    expect(codeOf(() => assertKeyOfDevice(key, deviceId))).toBe(code);
  });

  it("builds a device's prefix and refuses ids that could escape it", () => {
    expect(deviceObjectPrefix("dev_1-A")).toBe("devices/dev_1-A/");
    expect(() => deviceObjectPrefix("../x")).toThrow(RangeError);
    expect(() => deviceObjectPrefix("a/b")).toThrow(RangeError);
  });
});

describe("content types", () => {
  it.each([
    ["devices/d1/c.mp4", "video/mp4"],
    ["devices/d1/c.MP4", "video/mp4"],
    ["devices/d1/t.jpg", "image/jpeg"],
    ["devices/d1/t.jpeg", "image/jpeg"],
    ["devices/d1/blob", "application/octet-stream"],
    ["devices/d1/x.html", "application/octet-stream"],
  ])("%s → %s", (key, type) => {
    expect(contentTypeForKey(key)).toBe(type);
  });
});

describe("storage provider settings", () => {
  it("accepts fs and s3, defaults forcePathStyle, refuses the rest", () => {
    expect(storageConfigSchema.parse({ driver: "fs" })).toEqual({ driver: "fs" });
    const s3 = storageConfigSchema.parse({
      driver: "s3",
      region: "us-east-1",
      bucket: "clips",
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    expect(s3).toMatchObject({ driver: "s3", forcePathStyle: false });
    for (const bad of [
      { driver: "ftp" },
      { driver: "fs", path: "/tmp" },
      { driver: "s3", region: "r", bucket: "ab", accessKeyId: "a", secretAccessKey: "s" },
      { driver: "s3", region: "r", bucket: "Bad_Bucket", accessKeyId: "a", secretAccessKey: "s" },
      { driver: "s3", region: "r", bucket: "clips", accessKeyId: "a", secretAccessKey: "" },
      {
        driver: "s3",
        endpoint: "not a url",
        region: "r",
        bucket: "clips",
        accessKeyId: "a",
        secretAccessKey: "s",
      },
    ]) {
      expect(storageConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
