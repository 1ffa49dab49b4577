// Smoke test of bench/upload: one tiny run through the real path (a real cloud with the fs driver
// and with s3rver, the agent's upload job in a child process, the raw-PUT baseline). No timing
// assertions: the figures must be finite and positive and the table must show every row.

import { describe, expect, it } from "vitest";
import { parseOptions, report, runUploadBench } from "../upload/bench.js";

describe("bench/upload", () => {
  it("parses its options (multipart sizes included) and refuses nonsense", () => {
    expect(parseOptions([])).toEqual({ sizeMB: 6, files: 5 });
    expect(parseOptions(["--size-mb", "1", "--files", "2"])).toEqual({ sizeMB: 1, files: 2 });
    expect(parseOptions(["--size-mb", "24"])).toEqual({ sizeMB: 24, files: 5 });
    expect(() => parseOptions(["--size-mb", "0"])).toThrow(/--size-mb/);
    expect(() => parseOptions(["--size-mb", "257"])).toThrow(/--size-mb/);
    expect(() => parseOptions(["--files", "0"])).toThrow(/--files/);
  });

  it("measures throughput and agent CPU per MB for both targets and both modes", async () => {
    const figures = await runUploadBench({ sizeMB: 1, files: 2 });
    expect(figures.map((f) => `${f.target}/${f.mode}`)).toEqual([
      "fs/raw",
      "fs/uploader",
      "s3rver/raw",
      "s3rver/uploader",
    ]);
    for (const f of figures) {
      expect(Number.isFinite(f.mbPerS) && f.mbPerS > 0).toBe(true);
      expect(Number.isFinite(f.cpuMsPerMB) && f.cpuMsPerMB > 0).toBe(true);
    }
    const table = report(figures);
    console.log(table);
    expect(table.split("\n")).toHaveLength(5);
  }, 90_000);
});
