import { describe, expect, it } from "vitest";
import { type CheckResult, doctorExitCode, formatCheckLine } from "../../src/doctor/check-result.js";
import { type CloudTime, judgeClock } from "../../src/doctor/clock-skew.js";
import { judgeDiskSpace } from "../../src/doctor/disk-space.js";
import { judgeFfmpeg, parseFfmpegVersion } from "../../src/doctor/ffmpeg-version.js";
import { judgeStateDirError } from "../../src/doctor/state-dir-error.js";

const MB = 1024 * 1024;

describe("parseFfmpegVersion", () => {
  it.each([
    ["ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers", 5, 1, "5.1.9-0+deb12u1"],
    ["ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021", 4, 4, "4.4.2-0ubuntu0.22.04.1"],
    ["ffmpeg version n6.0 Copyright (c) 2000-2023", 6, 0, "6.0"],
    ["ffmpeg version 7.1.1-static https://johnvansickle.com/ffmpeg/", 7, 1, "7.1.1-static"],
    ["ffmpeg version 4.3.6-0+deb11u1+rpt5 Copyright", 4, 3, "4.3.6-0+deb11u1+rpt5"],
  ])("reads %j", (line, major, minor, raw) => {
    expect(parseFfmpegVersion(`${line}\nbuilt with gcc 12\n`)).toEqual({ major, minor, raw });
  });

  it.each([["ffmpeg version N-112345-gabcdef0 Copyright"], ["bash: ffmpeg: command not found"], [""]])(
    "returns null for %j",
    (text) => {
      expect(parseFfmpegVersion(text)).toBeNull();
    },
  );
});

describe("judgeFfmpeg", () => {
  it.each<[Parameters<typeof judgeFfmpeg>[0], CheckResult["status"], RegExp]>([
    [{ output: "ffmpeg version 5.1.9-0+deb12u1" }, "ok", /^ffmpeg 5\.1\.9/],
    [{ output: "ffmpeg version 4.4.0" }, "ok", /4\.4\.0/],
    [{ output: "ffmpeg version 4.3.6" }, "fail", /older than 4\.4/],
    [{ output: "ffmpeg version 3.9.1" }, "fail", /older than 4\.4/],
    [{ output: "ffmpeg version N-112345-gabcdef0" }, "warn", /could not be read/],
    [{ errorCode: "ENOENT" }, "fail", /not installed/],
    [{ errorCode: "EACCES" }, "fail", /EACCES/],
  ])("%j → %s", (outcome, status, detail) => {
    const r = judgeFfmpeg(outcome);
    expect(r.status).toBe(status);
    expect(r.detail).toMatch(detail);
    if (status !== "ok") expect(r.fix).toBeTruthy();
  });

  it("tells how to install ffmpeg when it is missing", () => {
    expect(judgeFfmpeg({ errorCode: "ENOENT" }).fix).toContain("sudo apt-get install -y ffmpeg");
  });
});

describe("judgeDiskSpace", () => {
  it.each([
    [10_000, 512, "ok"],
    [512, 512, "ok"],
    [511, 512, "warn"],
    [64, 512, "warn"],
    [63, 512, "fail"],
    [63, 0, "fail"],
    [0, 0, "fail"],
    [100, 0, "ok"],
  ] as const)("%i MB free with minFreeMB %i → %s", (freeMB, minFreeMB, status) => {
    const r = judgeDiskSpace({ dir: "/var/lib/homecam", freeBytes: freeMB * MB + 123, minFreeMB });
    expect(r.status).toBe(status);
    expect(r.detail).toContain(`${freeMB} MB free on /var/lib/homecam`);
    expect(r.fix === undefined).toBe(status === "ok");
  });
});

describe("judgeClock", () => {
  const now = Date.parse("2025-06-01T12:00:00.000Z");
  const answered = (cloudMs: number, dateHeader = new Date(cloudMs).toUTCString()): CloudTime => ({
    kind: "answered",
    url: "http://cloud",
    dateHeader,
    sentAt: now - 20,
    receivedAt: now + 20,
  });

  it.each<[string, number, CloudTime, CheckResult["status"]]>([
    ["an unset clock (1970)", 0, { kind: "disabled" }, "fail"],
    ["a clock in 2023", Date.parse("2023-12-31T23:59:59Z"), { kind: "disabled" }, "fail"],
    ["cloud disabled", now, { kind: "disabled" }, "ok"],
    ["cloud unreachable", now, { kind: "unreachable", url: "http://cloud", reason: "ECONNREFUSED" }, "warn"],
    ["no Date header", now, { ...(answered(now) as object), dateHeader: null } as CloudTime, "warn"],
    ["garbage Date header", now, answered(now, "yesterday"), "warn"],
    ["in sync", now, answered(now), "ok"],
    ["59 s behind", now, answered(now - 59_000), "ok"],
    ["61 s ahead of the cloud", now, answered(now - 61_500), "fail"],
    ["two minutes behind the cloud", now, answered(now + 120_000), "fail"],
  ])("%s → %s", (_label, nowMs, cloud, status) => {
    const r = judgeClock(nowMs, cloud);
    expect(r.status).toBe(status);
    if (status !== "ok") expect(r.detail.length).toBeGreaterThan(0);
  });

  it("hints at NTP when the clock is off", () => {
    expect(judgeClock(0, { kind: "disabled" }).fix).toContain("timedatectl set-ntp true");
    expect(judgeClock(now, answered(now + 120_000)).fix).toContain("timedatectl set-ntp true");
  });
});

describe("judgeStateDirError", () => {
  it.each([
    ["EACCES", /chown/],
    ["EPERM", /chown/],
    ["EROFS", /read-only/],
    ["ENOSPC", /free space/],
    ["ENOTDIR", /directory/],
    [undefined, /ls -ld/],
  ])("%s → a fix matching %s", (code, fix) => {
    const r = judgeStateDirError("/var/lib/homecam", code);
    expect(r.status).toBe("fail");
    expect(r.fix).toMatch(fix);
  });
});

describe("formatCheckLine and doctorExitCode", () => {
  const ok: CheckResult = { name: "ffmpeg", status: "ok", detail: "ffmpeg 5.1.9" };
  const warn: CheckResult = { name: "disk", status: "warn", detail: "300 MB free", fix: "free space" };
  const fail: CheckResult = { name: "clock", status: "fail", detail: "off by 90 s", fix: "use NTP" };

  it.each([
    [ok, "✓ ffmpeg: ffmpeg 5.1.9"],
    [warn, "! disk: 300 MB free — fix: free space"],
    [fail, "✗ clock: off by 90 s — fix: use NTP"],
  ])("formats %j", (r, line) => {
    expect(formatCheckLine(r)).toBe(line);
  });

  it.each([
    [[], 0],
    [[ok, warn], 0],
    [[ok, warn, fail], 1],
  ] as const)("exit code of %j is %i", (results, code) => {
    expect(doctorExitCode(results)).toBe(code);
  });
});
