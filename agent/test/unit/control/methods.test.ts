import { ApiError } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { errorBodyFor } from "../../../src/control/methods.js";
import { describeIssues, methodParamsSchemas, requestSchema } from "../../../src/control/protocol.js";

describe("errorBodyFor", () => {
  it("keeps stable codes and masks credentials in messages", () => {
    const err = Object.assign(new Error("cannot open rtsp://admin:hunter2@10.0.0.5/s1"), {
      code: "HC_ERR_CAPTURE_SPAWN",
    });
    expect(errorBodyFor(err)).toEqual({
      code: "HC_ERR_CAPTURE_SPAWN",
      message: "cannot open rtsp://admin:***@10.0.0.5/s1",
    });
    expect(errorBodyFor(new ApiError("E_NOT_FOUND", "no camera 'x'"))).toEqual({
      code: "E_NOT_FOUND",
      message: "no camera 'x'",
    });
  });

  it("turns anything without a stable code into E_INTERNAL", () => {
    expect(errorBodyFor(Object.assign(new Error("boom"), { code: "ENOENT" }))).toEqual({
      code: "E_INTERNAL",
      message: "boom",
    });
    expect(errorBodyFor("plain string")).toEqual({ code: "E_INTERNAL", message: "plain string" });
    expect(errorBodyFor(null)).toEqual({ code: "E_INTERNAL", message: "null" });
  });
});

describe("protocol schemas", () => {
  it("accepts string or integer ids and optional params", () => {
    expect(requestSchema.safeParse({ id: 1, method: "status" }).success).toBe(true);
    expect(requestSchema.safeParse({ id: "abc", method: "status", params: {} }).success).toBe(true);
    expect(requestSchema.safeParse({ id: -1, method: "status" }).success).toBe(false);
    expect(requestSchema.safeParse({ id: 1, method: "status", extra: true }).success).toBe(false);
  });

  it("bounds record to 1..600 whole seconds and says which field is wrong", () => {
    const p = methodParamsSchemas.record;
    expect(p.safeParse({ cameraId: "c", seconds: 1 }).success).toBe(true);
    expect(p.safeParse({ cameraId: "c", seconds: 600 }).success).toBe(true);
    const bad = p.safeParse({ cameraId: "", seconds: 601 });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeIssues(bad.error)).toMatch(/^cameraId: .*; seconds: /);
  });
});
