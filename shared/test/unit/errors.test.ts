import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  ERROR_CATALOGUE,
  ERROR_CODES,
  type ErrorCode,
  errorCodeSchema,
  httpStatusFor,
  isErrorCode,
} from "../../src/errors.js";

describe("ERROR_CATALOGUE", () => {
  it("gives every code exactly one integer HTTP error status and a description", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^E_[A-Z_]+$/);
      expect(Object.keys(entry).sort()).toEqual(["description", "status"]);
      expect(Number.isInteger(entry.status)).toBe(true);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.description.length).toBeGreaterThan(10);
    }
  });

  it("maps the documented codes to their statuses", () => {
    const expected: Record<string, number> = {
      E_VALIDATION: 400,
      E_BAD_REQUEST: 400,
      E_UNAUTHORIZED: 401,
      E_TOKEN_EXPIRED: 401,
      E_FORBIDDEN: 403,
      E_NOT_FOUND: 404,
      E_METHOD_NOT_ALLOWED: 405,
      E_CONFLICT: 409,
      E_GONE: 410,
      E_PAYLOAD_TOO_LARGE: 413,
      E_UNSUPPORTED_MEDIA_TYPE: 415,
      E_RATE_LIMITED: 429,
      E_INTERNAL: 500,
      E_NOT_IMPLEMENTED: 501,
      E_STORAGE_ERROR: 502,
      E_DATABASE_ERROR: 503,
      E_DEVICE_OFFLINE: 503,
      E_TIMEOUT: 504,
    };
    const actual = Object.fromEntries(Object.entries(ERROR_CATALOGUE).map(([c, e]) => [c, e.status]));
    // Equality (not containment): removing or renaming a released code must fail this test.
    expect(actual).toEqual(expected);
  });

  it("has an enum and code list that match the catalogue keys exactly", () => {
    expect([...errorCodeSchema.options].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    expect(ERROR_CODES).toEqual(Object.keys(ERROR_CATALOGUE));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});

describe("errorCodeSchema and isErrorCode", () => {
  it("accept every catalogue code", () => {
    for (const code of ERROR_CODES) {
      expect(errorCodeSchema.parse(code)).toBe(code);
      expect(isErrorCode(code)).toBe(true);
    }
  });

  it("reject prototype keys, wrong case and non-strings", () => {
    for (const v of [
      "toString",
      "__proto__",
      "constructor",
      "e_validation",
      "E_NOPE",
      "",
      400,
      null,
      undefined,
    ]) {
      expect(isErrorCode(v)).toBe(false);
      expect(errorCodeSchema.safeParse(v).success).toBe(false);
    }
  });

  it("agree on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(isErrorCode(s)).toBe(errorCodeSchema.safeParse(s).success);
      }),
    );
  });
});

describe("httpStatusFor", () => {
  it("returns the catalogue status", () => {
    expect(httpStatusFor("E_NOT_FOUND")).toBe(404);
    expect(httpStatusFor("E_GONE")).toBe(410);
    expect(httpStatusFor("E_DEVICE_OFFLINE")).toBe(503);
    fc.assert(
      fc.property(fc.constantFrom(...ERROR_CODES), (code: ErrorCode) => {
        expect(httpStatusFor(code)).toBe(ERROR_CATALOGUE[code].status);
      }),
    );
  });
});

describe("ApiError", () => {
  it("carries code, derived status, message, details and cause", () => {
    const cause = new Error("disk on fire");
    const err = new ApiError("E_CONFLICT", "already paired", { deviceId: "abc" }, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.name).toBe("ApiError");
    expect(err.code).toBe("E_CONFLICT");
    expect(err.status).toBe(409);
    expect(err.message).toBe("already paired");
    expect(err.details).toEqual({ deviceId: "abc" });
    expect(err.cause).toBe(cause);
  });

  it("has no details or cause when none are given", () => {
    const err = new ApiError("E_RATE_LIMITED", "slow down");
    expect(err.status).toBe(429);
    expect("details" in err).toBe(false);
    expect(err.cause).toBeUndefined();
  });
});
