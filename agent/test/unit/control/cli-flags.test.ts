import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  cameraFlag,
  intFlag,
  parseDurationMs,
  parseFlags,
  parseSince,
  sinceFlag,
  UsageError,
} from "../../../src/control/cli-flags.js";

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0); // 2025-06-15T12:00:00Z
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("parseDurationMs", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 30 * MIN],
    ["2h", 2 * HOUR],
    ["7d", 7 * DAY],
    ["1w", 7 * DAY],
    ["1h30m", 90 * MIN],
    ["1d12h", 36 * HOUR],
    [" 2H ", 2 * HOUR],
    ["0m", 0],
  ])("%s → %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "2", "h", "2x", "-2h", "2 h", "1.5h", "2h-", "two hours", "99999999999999999d"])(
    "rejects %j",
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});

describe("parseSince", () => {
  let tz: string | undefined;
  beforeAll(() => {
    // Local-time cases are written for a fixed zone; Node applies a changed TZ immediately.
    tz = process.env.TZ;
    process.env.TZ = "Europe/Paris";
  });
  afterAll(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it.each([
    ["2h", NOW - 2 * HOUR],
    ["7d", NOW - 7 * DAY],
    ["45m", NOW - 45 * MIN],
    ["2025-06-01T08:00:00Z", Date.UTC(2025, 5, 1, 8)],
    ["2025-06-01T08:00:00.250Z", Date.UTC(2025, 5, 1, 8, 0, 0, 250)],
    ["2025-06-01T10:00:00+02:00", Date.UTC(2025, 5, 1, 8)],
    // No offset: local time (Paris is UTC+2 in June).
    ["2025-06-01T10:00", Date.UTC(2025, 5, 1, 8)],
    ["2025-06-01 10:00:00", Date.UTC(2025, 5, 1, 8)],
    // A date alone: local midnight.
    ["2025-06-01", Date.UTC(2025, 4, 31, 22)],
    ["2025-01-15", Date.UTC(2025, 0, 14, 23)],
  ])("%s", (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it.each([
    "yesterday",
    "2025-02-30",
    "2025-13-01",
    "2025-06-01T25:00",
    "06/01/2025",
    "2025-6-1",
    "1717228800",
  ])("rejects %j", (text) => {
    expect(parseSince(text, NOW)).toBeUndefined();
  });
});

describe("parseFlags", () => {
  const schema = z.strictObject({
    camera: cameraFlag,
    since: sinceFlag.optional(),
    limit: intFlag(1, 100).default(20),
    seconds: intFlag(1, 600),
    json: z.boolean().default(false),
  });

  it("returns typed values with defaults", () => {
    const flags = parseFlags(schema, { camera: "front-door", seconds: "10", since: "1h" });
    expect(flags).toMatchObject({ camera: "front-door", limit: 20, seconds: 10, json: false });
    expect(Date.now() - flags.since!).toBeGreaterThanOrEqual(HOUR);
    expect(Date.now() - flags.since!).toBeLessThan(HOUR + 60_000);
  });

  it("lists every problem as --flag: message in one UsageError", () => {
    let err: unknown;
    try {
      parseFlags(
        schema,
        { camera: "Front Door", since: "last week", limit: "0", seconds: "ten" },
        { camera: "<camera>" },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const lines = (err as Error).message.split("\n");
    expect(lines).toEqual([
      "<camera>: lower-case letters, digits and '-', 1-64 characters",
      expect.stringMatching(/^--since: 'last week' is neither a duration/),
      "--limit: must be a whole number from 1 to 100",
      "--seconds: must be a whole number from 1 to 600",
    ]);
  });

  it.each([
    [{ seconds: "601" }, "--seconds: must be a whole number from 1 to 600"],
    [{ seconds: "-1" }, "--seconds: must be a whole number from 1 to 600"],
    [{ seconds: "2.5" }, "--seconds: must be a whole number from 1 to 600"],
    [{}, "--seconds: required"],
  ])("seconds %j", (extra, message) => {
    expect(() => parseFlags(schema, { camera: "c", ...extra })).toThrow(message);
  });

  it("names camel-case keys as kebab-case flags", () => {
    expect(() => parseFlags(z.strictObject({ maxItems: intFlag(1, 2) }), { maxItems: "3" })).toThrow(
      "--max-items: must be a whole number from 1 to 2",
    );
  });
});
