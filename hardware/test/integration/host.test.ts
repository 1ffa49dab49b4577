import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { selectBoard } from "../../src/board.js";
import { readBoardFacts, readCpuSample, readDisk, readTemperature } from "../../src/host.js";

const fixture = (name: string) => {
  const base = fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));
  return { proc: `${base}proc`, sys: `${base}sys`, env: {} };
};

describe("host readers on captured fixtures", () => {
  it("reads a Raspberry Pi 4's model, CPU counters and temperature", async () => {
    const pi = fixture("pi4");
    expect(selectBoard(await readBoardFacts(pi)).profile.id).toBe("raspberry-pi-4");
    expect(await readCpuSample(pi)).toEqual({ busy: 5668, total: 9390 });
    expect(await readTemperature(pi)).toBe(48.3);
  });

  it("reports no temperature and a generic board on a VM without sysfs thermal zones", async () => {
    const vm = fixture("vm");
    expect(await readTemperature(vm)).toBeNull();
    expect(selectBoard(await readBoardFacts(vm)).profile.id).toBe("generic-linux");
  });

  it("reads the real disk", async () => {
    const d = await readDisk(process.cwd());
    expect(d.totalBytes).toBeGreaterThan(d.freeBytes);
    expect(d.freeBytes).toBeGreaterThan(0);
  });
});
