import { describe, expect, it } from "vitest";
import { cpuPercentBetween, parseProcStat, parseThrottled, pickTemperature } from "../../src/sensors.js";

describe("sensors", () => {
  it("parses /proc/stat and computes CPU use between samples", () => {
    const a = parseProcStat("cpu  100 0 100 800 0 0 0 0 0 0\n");
    const b = parseProcStat("cpu  150 0 150 900 0 0 0 0 0 0\n");
    expect(a).toEqual({ busy: 200, total: 1000 });
    expect(cpuPercentBetween(a!, b!)).toBeCloseTo(50);
    expect(parseProcStat("intr 1 2 3")).toBeNull();
  });

  it("picks the CPU thermal zone and ignores nonsense readings", () => {
    expect(
      pickTemperature([
        { type: "acpitz", milliCelsius: "27800" },
        { type: "x86_pkg_temp", milliCelsius: "51000" },
      ]),
    ).toBe(51);
    expect(pickTemperature([{ type: "cpu-thermal", milliCelsius: "-273000" }])).toBeNull();
    expect(pickTemperature([])).toBeNull();
  });

  it.each([
    ["throttled=0x0", { underVoltage: false, throttled: false, occurredSinceBoot: false }],
    ["throttled=0x50005", { underVoltage: true, throttled: true, occurredSinceBoot: true }],
    ["throttled=0x50000", { underVoltage: false, throttled: false, occurredSinceBoot: true }],
  ])("decodes %s", (text, expected) => {
    expect(parseThrottled(text)).toMatchObject(expected);
  });
});
