import { describe, expect, it } from "vitest";
import { fromFlag, parseInt8, toFlag } from "../../src/db/portable.js";

describe("portable column helpers", () => {
  it("round-trips flags", () => {
    expect(toFlag(true)).toBe(1);
    expect(toFlag(false)).toBe(0);
    expect(fromFlag(1)).toBe(true);
    expect(fromFlag(0)).toBe(false);
  });

  it.each([
    ["0", 0],
    ["1700000000123", 1_700_000_000_123],
    ["-42", -42],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
  ])("parses int8 %s", (text, n) => {
    expect(parseInt8(text)).toBe(n);
  });

  it("refuses an int8 a JS number cannot hold exactly", () => {
    expect(() => parseInt8("9007199254740993")).toThrow(RangeError);
  });
});
