import { describe, expect, it } from "vitest";
import { requestIdFrom } from "../../src/http/request-id.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it.each(["abc", "0af7651916cd43dd8448eb211c80319c", "req:1.2-3_x", "a".repeat(128)])("keeps %s", (id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["too long", "a".repeat(129)],
    ["spaces", "a b"],
    ["newline (log forging)", "a\nb"],
    ["quotes", 'a"b'],
    ["repeated header", ["a", "b"]],
  ])("replaces %s with a UUID", (_label, incoming) => {
    expect(requestIdFrom(incoming)).toMatch(UUID);
  });
});
