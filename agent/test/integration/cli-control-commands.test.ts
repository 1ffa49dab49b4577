import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventListItem } from "../../src/commands/events-list.js";
import { ControlClient } from "../../src/control/control-client.js";
import { ControlServer } from "../../src/control/control-server.js";
import { controlSocketPath, type StatusResult } from "../../src/control/protocol.js";
import { NODE_ARGS, REPO_ROOT, runCli, silent } from "./cli-helpers.js";
import { FakeCameraControl, fakeJpeg } from "./control/fake-camera-control.js";

// The running agent is a real ControlServer on a real socket backed by a fake camera pipeline
// (the real one has its own tests), then the real agent end to end.

describe("homecam status / snapshot / record (control socket)", () => {
  let dir: string;
  let stateDir: string;
  let config: string;
  let control: FakeCameraControl;
  let server: ControlServer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-cli-ctl-"));
    stateDir = join(dir, "state");
    mkdirSync(stateDir, { mode: 0o700 });
    config = join(dir, "agent.yaml");
    writeFileSync(config, `stateDir: ${JSON.stringify(stateDir)}\ncloud: { enabled: false }\n`);
    control = new FakeCameraControl();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function startAgentSocket(): Promise<void> {
    server = new ControlServer({ socketPath: controlSocketPath(stateDir), control, log: silent });
    await server.start(new AbortController().signal);
  }

  it("status --json returns the cameras and the host; the default is a table", async () => {
    await startAgentSocket();
    const json = await runCli(["status", "--json", "--config", config]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ cameras: control.states, host: control.hostState });

    const table = await runCli(["status", "--config", config]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^CAMERA\s+NAME\s+STATUS\s+FPS\s+EVENT\s+LAST EVENT\s+REASON\n/);
    expect(table.stdout).toMatch(
      /\nfront-door\s+Front door\s+online\s+5\.0\s+no\s+2025-06-15 15:06:40 \(.+ ago\)\s+-\n/,
    );
    expect(table.stdout).toMatch(
      /\ngarage\s+Garage\s+reconnecting\s+-\s+no\s+never\s+connection refused by 192\.168\.1\.21:554\n/,
    );
    expect(table.stdout).toContain("\nHOST\n  CPU          13 %\n  temperature  48.3 °C\n");
  });

  it("snapshot -o writes the JPEG atomically; -o - writes it to stdout", async () => {
    await startAgentSocket();
    const out = join(dir, "shots", "front.jpg");
    mkdirSync(join(dir, "shots"));
    const r = await runCli(["snapshot", "front-door", "-o", out, "--config", config]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(fakeJpeg("front-door"));
    expect(r.stdout).toMatch(new RegExp(`^${out.replaceAll("/", "\\/")} \\(\\d+ B\\)\\n$`));
    // Nothing but the final file: the temporary name was renamed, not left behind.
    expect(readdirSync(join(dir, "shots"))).toEqual(["front.jpg"]);

    const json = await runCli(["snapshot", "front-door", "--output", out, "--json", "--config", config]);
    expect(JSON.parse(json.stdout)).toEqual({
      cameraId: "front-door",
      file: out,
      bytes: fakeJpeg("front-door").length,
    });

    const piped = await runCli(["snapshot", "front-door", "-o", "-", "--config", config]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdoutBytes).toEqual(fakeJpeg("front-door"));
  });

  it("snapshot of an offline or unknown camera exits 1 with the agent's reason and code", async () => {
    await startAgentSocket();
    const offline = await runCli(["snapshot", "garage", "-o", join(dir, "g.jpg"), "--config", config]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toBe("homecam: camera garage is reconnecting (HC_ERR_CAMERA_OFFLINE)\n");
    expect(existsSync(join(dir, "g.jpg"))).toBe(false);
    const unknown = await runCli(["snapshot", "attic", "-o", join(dir, "a.jpg"), "--config", config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("HC_ERR_CAMERA_NOT_FOUND");
  });

  it("snapshot when no agent runs: a clear error and exit 1", async () => {
    const r = await runCli(["snapshot", "front-door", "-o", join(dir, "x.jpg"), "--config", config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `homecam: the agent is not running: socket ${join(stateDir, "control.sock")} not found (is \`homecam run\` running with this configuration?)\n`,
    );
    const status = await runCli(["status", "--json", "--config", config]);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe("");
  });

  it("record waits for the clip and prints its path; --json prints the result", async () => {
    control.autoFinishRecord = false;
    await startAgentSocket();
    const running = runCli(["record", "front-door", "--seconds", "2", "--config", config]);
    const call = await control.waitForRecordCalls(1);
    expect(call).toMatchObject({ cameraId: "front-door", seconds: 2 });
    call.finish({
      eventId: "ev-9",
      recordings: [
        { id: "r0", path: "/clips/front-door/ev-9-0.mp4", durationMs: 7_000, sizeBytes: 1_000 },
        { id: "r1", path: "/clips/front-door/ev-9-1.mp4", durationMs: 1_000, sizeBytes: 100 },
      ],
    });
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("/clips/front-door/ev-9-0.mp4\n/clips/front-door/ev-9-1.mp4\n");

    control.autoFinishRecord = true;
    const json = await runCli(["record", "front-door", "--seconds", "3", "--json", "--config", config]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      eventId: "ev-2",
      recordings: [{ path: "/clips/front-door/manual-1.mp4", durationMs: 3_000 }],
    });
  });

  it("record and snapshot usage errors exit 2 without contacting the agent", async () => {
    await startAgentSocket();
    const cases = [
      ["record", "front-door", "--seconds", "0"],
      ["record", "front-door", "--seconds", "601"],
      ["record", "front-door"],
      ["record", "Front Door", "--seconds", "5"],
      ["snapshot", "front-door"],
      ["snapshot", "front-door", "-o", "-", "--json"],
      ["snapshot"],
      ["cameras", "discover", "--timeout", "soon"],
    ];
    const results = await Promise.all(cases.map((args) => runCli([...args, "--config", config])));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]?.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toBe("");
    }
    expect(results[0]?.stderr).toBe("homecam: --seconds: must be a whole number from 1 to 600\n");
    expect(results[2]?.stderr).toBe("homecam: --seconds: required\n");
    expect(results[4]?.stderr).toBe("homecam: -o/--output: required\n");
    expect(control.recordCalls).toHaveLength(0);
    expect(control.snapshotCalls).toBe(0);
  });
});

describe("homecam against the real agent (end to end)", () => {
  let dir: string;
  let agent: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-cli-e2e-"));
  });
  afterEach(() => {
    if (agent && agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
    agent = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("run with a test camera; status --json, snapshot -o (a JPEG), record --seconds 2 (an mp4 ffprobe accepts); SIGTERM", async () => {
    const stateDir = join(dir, "state");
    const config = join(dir, "agent.yaml");
    writeFileSync(
      config,
      [
        `stateDir: ${JSON.stringify(stateDir)}`,
        "http: { host: 127.0.0.1, port: 0 }",
        "cloud: { enabled: false }",
        "cameras:",
        "  - id: cam",
        "    name: Test camera",
        "    source: { type: test, width: 320, height: 180, fps: 10, scene: static }",
        "    recording: { preRollSeconds: 1, postRollSeconds: 1 }",
        "storage: { minFreeMB: 0 }",
        "",
      ].join("\n"),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("HOMECAM_")) delete env[key];
    const child = spawn(process.execPath, [...NODE_ARGS, "run", "--config", config], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    agent = child;
    let log = "";
    child.stdout.on("data", (d: Buffer) => {
      log += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      log += d.toString();
    });
    const exited = once(child, "exit");

    // Ready when the camera is online and its ring holds video (a snapshot succeeds).
    const socketPath = controlSocketPath(stateDir);
    await vi.waitFor(
      async () => {
        expect(child.exitCode, log).toBeNull();
        const c = await ControlClient.connect(socketPath);
        try {
          await c.call("snapshot", { cameraId: "cam" });
        } finally {
          c.close();
        }
      },
      { timeout: 45_000, interval: 500 },
    );

    const status = await runCli(["status", "--json", "--config", config]);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as StatusResult;
    expect(s.cameras).toEqual([
      expect.objectContaining({ id: "cam", name: "Test camera", status: "online", enabled: true }),
    ]);
    expect(s.host.diskTotalMB).toBeGreaterThan(0);

    const shot = join(dir, "x.jpg");
    const snap = await runCli(["snapshot", "cam", "-o", shot, "--config", config]);
    expect(snap.code, snap.stderr).toBe(0);
    const jpeg = readFileSync(shot);
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);

    const rec = await runCli(["record", "cam", "--seconds", "2", "--config", config]);
    expect(rec.code, `${rec.stderr}\n${log}`).toBe(0);
    const paths = rec.stdout.trim().split("\n");
    expect(paths.length).toBeGreaterThanOrEqual(1);
    for (const p of paths) {
      expect(p).toMatch(/\.mp4$/);
      expect(existsSync(p)).toBe(true);
      const probe = spawnSync(
        "ffprobe",
        ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json", p],
        {
          encoding: "utf8",
        },
      );
      expect(probe.status, probe.stderr).toBe(0);
      const streams = (JSON.parse(probe.stdout) as { streams: { codec_type: string; codec_name: string }[] })
        .streams;
      expect(streams).toContainEqual({ codec_type: "video", codec_name: "h264" });
    }
    // The manual event is in the database, readable by the CLI while the agent runs.
    const events = await runCli(["events", "list", "--json", "--config", config]);
    expect((JSON.parse(events.stdout) as EventListItem[]).map((e) => e.type)).toContain("manual");

    child.kill("SIGTERM");
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }, log).toEqual({ code: 0, signal: null });
    expect(existsSync(socketPath)).toBe(false);
  }, 120_000);
});
