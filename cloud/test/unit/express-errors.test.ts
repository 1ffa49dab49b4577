import { ApiError } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import { apiErrorFromExpress } from "../../src/http/express-errors.js";

describe("apiErrorFromExpress", () => {
  it.each([
    [{ type: "entity.too.large", status: 413 }, "E_PAYLOAD_TOO_LARGE", 413],
    [{ type: "entity.parse.failed", status: 400 }, "E_BAD_REQUEST", 400],
    [{ type: "encoding.unsupported", status: 415 }, "E_UNSUPPORTED_MEDIA_TYPE", 415],
    [{ type: "charset.unsupported", status: 415 }, "E_UNSUPPORTED_MEDIA_TYPE", 415],
    [{ type: "request.aborted", status: 400 }, "E_BAD_REQUEST", 400],
    [{ status: 400, expose: true }, "E_BAD_REQUEST", 400],
  ])("maps %o to %s", (err, code, status) => {
    const mapped = apiErrorFromExpress(Object.assign(new Error("parser said so"), err));
    expect(mapped).toBeInstanceOf(ApiError);
    expect(mapped).toMatchObject({ code, status });
    // The parser's own message may quote the body; it stays in `cause`, which is never sent.
    expect(mapped?.message).not.toContain("parser said so");
  });

  it.each([
    ["a plain error", new Error("boom")],
    ["a 500 http error", Object.assign(new Error("x"), { status: 500, expose: false })],
    ["an unexposed 4xx", Object.assign(new Error("x"), { status: 400, expose: false })],
    ["a string", "boom"],
    ["null", null],
  ])("leaves %s to the 500 path", (_label, err) => {
    expect(apiErrorFromExpress(err)).toBeUndefined();
  });
});
