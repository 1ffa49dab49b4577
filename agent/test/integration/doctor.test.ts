import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkClock } from "../../src/doctor/check-clock.js";
import { checkDisk } from "../../src/doctor/check-disk.js";
import { checkFfmpeg } from "../../src/doctor/check-ffmpeg.js";
import { checkStateDir } from "../../src/doctor/check-state-dir.js";

describe("doctor checks against the real system", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-doctor-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the installed ffmpeg, and fails with an install hint for a missing one", async () => {
    expect((await checkFfmpeg()).status).toBe("ok");
    const missing = await checkFfmpeg(join(dir, "no-such-ffmpeg"));
    expect(missing).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("apt-get install -y ffmpeg"),
    });
  });

  it("creates a missing state directory and leaves no probe file behind", async () => {
    const stateDir = join(dir, "a", "b");
    expect(await checkStateDir(stateDir)).toMatchObject({ status: "ok" });
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it("fails when the state directory path is a file", async () => {
    const file = join(dir, "file");
    writeFileSync(file, "");
    expect(await checkStateDir(join(file, "state"))).toMatchObject({ status: "fail" });
  });

  it("measures free space on the disk a not-yet-created state directory would be on", async () => {
    const r = await checkDisk(join(dir, "not", "yet"), 0);
    expect(r.status).toBe("ok");
    expect(r.detail).toMatch(/^\d+ MB free on /);
  });
});

describe("clock check against a cloud", () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s?.listening) await new Promise((resolve) => s.close(resolve));
  });

  /** A fake cloud whose clock is `offsetMs` away from ours; only its Date header matters. */
  async function cloudWithOffset(offsetMs: number): Promise<string> {
    server = createServer((_req, res) => {
      res.setHeader("Date", new Date(Date.now() + offsetMs).toUTCString());
      res.end('{"ok":true}');
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server?.once("listening", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it.each([
    [0, "ok"],
    [-30_000, "ok"],
    [5 * 60_000, "fail"],
    [-5 * 60_000, "fail"],
  ] as const)("cloud %i ms away → %s", async (offset, status) => {
    const url = await cloudWithOffset(offset);
    expect((await checkClock({ cloud: { enabled: true, url } })).status).toBe(status);
  });

  it("warns, not fails, when the cloud is unreachable", async () => {
    const url = await cloudWithOffset(0);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const r = await checkClock({ cloud: { enabled: true, url } });
    expect(r).toMatchObject({ status: "warn", detail: expect.stringContaining("ECONNREFUSED") });
  });

  it("gives up on a cloud that does not answer within the timeout", async () => {
    server = createServer(() => {});
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server?.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await checkClock({ cloud: { enabled: true, url }, timeoutMs: 100 });
    server.closeAllConnections();
    expect(r).toMatchObject({ status: "warn", detail: expect.stringContaining("timed out") });
  });
});
