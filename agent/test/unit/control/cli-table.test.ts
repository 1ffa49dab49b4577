import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventListItem } from "../../../src/commands/events-list.js";
import { formatEventsTable } from "../../../src/commands/events-list.js";
import { formatRecordingsTable, type RecordingListItem } from "../../../src/commands/recordings-list.js";
import { formatStatus } from "../../../src/commands/status.js";
import {
  formatBytes,
  formatDurationMs,
  formatLocalTime,
  formatTable,
} from "../../../src/control/cli-table.js";
import type { StatusResult } from "../../../src/control/protocol.js";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 3); // 2025-06-01 12:00:03 UTC

let tz: string | undefined;
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = "UTC";
});
afterAll(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

describe("formatTable", () => {
  it("pads columns to the widest cell, aligns the chosen columns right, and trims line ends", () => {
    const text = formatTable(
      ["ID", "N", "NOTE"],
      [
        ["a", "5", "first"],
        ["bbbb", "123", ""],
      ],
      { right: [1] },
    );
    expect(text).toBe(["ID      N  NOTE", "a       5  first", "bbbb  123", ""].join("\n"));
  });

  it("counts characters, not UTF-16 units or bytes", () => {
    expect(
      formatTable(
        ["A", "B"],
        [
          ["é", "x"],
          ["ab", "y"],
        ],
      ),
    ).toBe("A   B\né   x\nab  y\n");
  });
});

describe("units", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [5 * 1024 * 1024, "5.0 MiB"],
    [123.4 * 1024 * 1024, "123 MiB"],
    [2.25 * 1024 ** 3, "2.3 GiB"],
    [-1, "-"],
  ])("formatBytes(%d) = %s", (n, s) => {
    expect(formatBytes(n)).toBe(s);
  });

  it.each([
    [null, "-"],
    [850, "850 ms"],
    [12_400, "12.4 s"],
    [185_000, "3 min 05 s"],
    [2 * 3_600_000 + 7 * 60_000, "2 h 07 min"],
    [3 * 86_400_000 + 5 * 3_600_000, "3 d 05 h"],
  ])("formatDurationMs(%j) = %s", (ms, s) => {
    expect(formatDurationMs(ms)).toBe(s);
  });

  it("formats local time, '-' when absent", () => {
    expect(formatLocalTime(T0)).toBe("2025-06-01 12:00:03");
    expect(formatLocalTime(null)).toBe("-");
  });
});

function event(over: Partial<EventListItem>): EventListItem {
  return {
    id: "ev-1",
    cameraId: "front-door",
    type: "motion",
    startedAt: T0,
    endedAt: T0 + 14_200,
    durationMs: 14_200,
    score: 0.8234,
    pinned: false,
    acknowledged: false,
    metadata: {},
    thumbnailPath: null,
    recordings: 1,
    ...over,
  };
}

describe("formatEventsTable", () => {
  it("one row per event; ongoing events, flags, and a note when the limit was reached", () => {
    const text = formatEventsTable(
      [
        event({ id: "ev-2", type: "manual", endedAt: null, durationMs: null, recordings: 0, pinned: true }),
        event({ acknowledged: true, pinned: true }),
      ],
      2,
    );
    expect(text).toBe(
      [
        "ID    CAMERA      TYPE    STARTED              DURATION  SCORE  CLIPS  FLAGS",
        "ev-2  front-door  manual  2025-06-01 12:00:03   ongoing   0.82      0  pinned",
        "ev-1  front-door  motion  2025-06-01 12:00:03    14.2 s   0.82      1  pinned,seen",
        "(the newest 2 shown; --limit shows more)",
        "",
      ].join("\n"),
    );
  });

  it("says so when nothing matched", () => {
    expect(formatEventsTable([])).toBe("No events found.\n");
  });
});

describe("formatRecordingsTable", () => {
  it("shows size, duration, upload state and the full path", () => {
    const rec: RecordingListItem = {
      id: "rec-1",
      cameraId: "garage",
      eventId: null,
      index: 0,
      path: "/var/lib/homecam/clips/garage/rec-1.mp4",
      startedAt: T0,
      endedAt: T0 + 20_000,
      durationMs: 20_000,
      sizeBytes: 3 * 1024 * 1024,
      format: "mp4",
      uploadState: "local_only",
      uploaded: false,
      uploadedAt: null,
    };
    expect(formatRecordingsTable([rec], 50)).toBe(
      [
        "ID     CAMERA  EVENT  STARTED              DURATION     SIZE  UPLOAD      FILE",
        "rec-1  garage  -      2025-06-01 12:00:03    20.0 s  3.0 MiB  local only  /var/lib/homecam/clips/garage/rec-1.mp4",
        "",
      ].join("\n"),
    );
  });
});

describe("formatStatus", () => {
  const status: StatusResult = {
    cameras: [
      {
        id: "front-door",
        name: "Front door",
        enabled: true,
        status: "online",
        analysisFps: 4.96,
        eventActive: true,
        lastEventAt: T0 - 185_000,
      },
      {
        id: "garage",
        name: "Garage",
        enabled: true,
        status: "reconnecting",
        reason: "connection refused",
        analysisFps: 0,
        eventActive: false,
        lastEventAt: null,
      },
    ],
    host: {
      cpuPercent: 12.4,
      temperatureC: 48.25,
      diskFreeMB: 10_240,
      diskTotalMB: 30_720,
      storage: { state: "ok" },
      uptimeS: 3_725,
    },
  };

  it("a camera table and a host block", () => {
    expect(formatStatus(status, T0)).toBe(
      [
        "CAMERA      NAME        STATUS        FPS  EVENT  LAST EVENT                            REASON",
        "front-door  Front door  online        5.0  yes    2025-06-01 11:56:58 (3 min 05 s ago)  -",
        "garage      Garage      reconnecting    -  no     never                                 connection refused",
        "",
        "HOST",
        "  CPU          12 %",
        "  temperature  48.3 °C",
        "  disk         10.0 GiB free of 30.0 GiB (67 % used)",
        "  storage      ok",
        "  uptime       1 h 02 min",
        "",
      ].join("\n"),
    );
  });

  it("unknown sensors, a full disk with its reason, and no cameras", () => {
    const text = formatStatus(
      {
        cameras: [],
        host: {
          ...status.host,
          cpuPercent: null,
          temperatureC: null,
          storage: { state: "disk-full", detail: "below minFreeMB" },
        },
      },
      T0,
    );
    expect(text).toContain("No cameras configured.\n");
    expect(text).toContain("  CPU          unknown\n");
    expect(text).toContain("  temperature  unknown\n");
    expect(text).toContain("  storage      disk-full: below minFreeMB\n");
  });
});
