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
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventListItem } from "../../src/commands/events-list.js";
import type { RecordingListItem } from "../../src/commands/recordings-list.js";
import { ControlClient } from "../../src/control/control-client.js";
import { ControlServer } from "../../src/control/control-server.js";
import { controlSocketPath, type StatusResult } from "../../src/control/protocol.js";
import { type AgentStore, DB_FILE_NAME, openAgentStore } from "../../src/store/agent-store.js";
import { FakeCameraControl, fakeJpeg } from "./control/fake-camera-control.js";

// The `homecam` commands run as a user runs them: a child process from TypeScript sources. The
// database is a real SQLite store; the running agent is a real ControlServer on a real socket,
// backed by a fake camera pipeline (the real one has its own tests).

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const NODE_ARGS = ["--conditions=source", "--import", "tsx", "agent/src/cli.ts"];
const silent = { info: () => {}, warn: () => {}, debug: () => {} };

interface CliResult {
  code: number | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

async function runCli(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC" };
  for (const key of Object.keys(env))
    if (key.startsWith("HOMECAM_") || key === "CREDENTIALS_DIRECTORY") delete env[key];
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString(), stdoutBytes, stderr };
}

const HOUR = 3_600_000;

describe("homecam events list / recordings list (read-only SQLite)", () => {
  let dir: string;
  let stateDir: string;
  let config: string;
  const now = Date.now();

  async function seed(store: AgentStore): Promise<void> {
    const { db } = store;
    await db
      .insertInto("cameras")
      .values([
        { id: "front-door", name: "Front door", source_type: "test", created_at: now, updated_at: now },
        { id: "garage", name: "Garage", source_type: "rtsp", created_at: now, updated_at: now },
      ])
      .execute();
    const ev = (id: string, camera: string, startedAt: number, extra: object = {}) => ({
      id,
      camera_id: camera,
      type: "motion" as const,
      started_at: startedAt,
      ended_at: startedAt + 12_000,
      duration_ms: 12_000,
      score: 0.75,
      // Every row names every column: a multi-row insert cannot use SQLite's defaults.
      pinned: 0 as const,
      acknowledged: 0 as const,
      metadata: JSON.stringify({ boxes: [[0.1, 0.2, 0.3, 0.4]] }),
      created_at: startedAt,
      ...extra,
    });
    await db
      .insertInto("events")
      .values([
        ev("ev-old", "front-door", now - 48 * HOUR),
        ev("ev-garage", "garage", now - 3 * HOUR, { pinned: 1 as const }),
        ev("ev-new", "front-door", now - 1 * HOUR),
        ev("ev-live", "front-door", now - 60_000, {
          type: "manual" as const,
          ended_at: null,
          duration_ms: null,
        }),
      ])
      .execute();
    const rec = (id: string, eventId: string, camera: string, startedAt: number, extra: object = {}) => ({
      id,
      event_id: eventId,
      camera_id: camera,
      file_path: `clips/${camera}/${id}.mp4`,
      started_at: startedAt,
      ended_at: startedAt + 20_000,
      duration_ms: 20_000,
      size_bytes: 2 * 1024 * 1024,
      format: "mp4",
      idx: 0,
      upload_state: "pending" as const,
      uploaded_at: null,
      created_at: startedAt,
      ...extra,
    });
    await db
      .insertInto("recordings")
      .values([
        rec("rec-new-0", "ev-new", "front-door", now - HOUR, { idx: 0 }),
        rec("rec-new-1", "ev-new", "front-door", now - HOUR + 20_000, {
          idx: 1,
          upload_state: "uploaded" as const,
          uploaded_at: now,
        }),
        rec("rec-garage", "ev-garage", "garage", now - 3 * HOUR, { file_path: "/media/garage.mp4" }),
      ])
      .execute();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "homecam-cli-db-"));
    stateDir = join(dir, "state");
    config = join(dir, "agent.yaml");
    writeFileSync(config, `stateDir: ${JSON.stringify(stateDir)}\ncloud: { enabled: false }\n`);
    const store = await openAgentStore(stateDir, { log: silent });
    await seed(store);
    // Closed: the agent is not running.
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("events list --json: newest first, camelCase, times in epoch ms, clip counts", async () => {
    const { code, stdout, stderr } = await runCli(["events", "list", "--json", "--config", config]);
    expect(code, stderr).toBe(0);
    const events = JSON.parse(stdout) as EventListItem[];
    expect(events.map((e) => e.id)).toEqual(["ev-live", "ev-new", "ev-garage", "ev-old"]);
    expect(events[1]).toEqual({
      id: "ev-new",
      cameraId: "front-door",
      type: "motion",
      startedAt: now - HOUR,
      endedAt: now - HOUR + 12_000,
      durationMs: 12_000,
      score: 0.75,
      pinned: false,
      acknowledged: false,
      metadata: { boxes: [[0.1, 0.2, 0.3, 0.4]] },
      thumbnailPath: null,
      recordings: 2,
    });
    expect(events[0]).toMatchObject({ type: "manual", endedAt: null, recordings: 0 });
    expect(events[2]).toMatchObject({ pinned: true, recordings: 1 });
  });

  it("events list filters by --camera, --since (duration and date) and --limit", async () => {
    const ids = async (...args: string[]) => {
      const r = await runCli(["events", "list", "--json", "--config", config, ...args]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as EventListItem[]).map((e) => e.id);
    };
    const [byCamera, byDuration, byDate, limited] = await Promise.all([
      ids("--camera", "garage"),
      ids("--since", "2h"),
      ids("--since", new Date(now - 4 * HOUR).toISOString(), "--camera", "front-door"),
      ids("--limit", "1"),
    ]);
    expect(byCamera).toEqual(["ev-garage"]);
    expect(byDuration).toEqual(["ev-live", "ev-new"]);
    expect(byDate).toEqual(["ev-live", "ev-new"]);
    expect(limited).toEqual(["ev-live"]);
  });

  it("events list prints a table by default, and never creates WAL files next to a stopped agent's database", async () => {
    const { code, stdout } = await runCli(["events", "list", "--camera", "front-door", "--config", config]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+CAMERA\s+TYPE\s+STARTED\s+DURATION\s+SCORE\s+CLIPS\s+FLAGS$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^ev-live\s+front-door\s+manual\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ongoing\s+0\.75\s+0\s+-$/,
    );
    expect(lines[2]).toMatch(/^ev-new\s+front-door\s+motion\s+.+\s+12\.0 s\s+0\.75\s+2\s+-$/);
    // A reader run as root while the agent is stopped must not leave root-owned -wal/-shm files.
    expect(readdirSync(stateDir).sort()).toEqual([DB_FILE_NAME]);
  });

  it("recordings list --json and table: resolved paths, sizes, upload state, --event filter", async () => {
    const json = await runCli(["recordings", "list", "--json", "--config", config]);
    expect(json.code, json.stderr).toBe(0);
    const recs = JSON.parse(json.stdout) as RecordingListItem[];
    expect(recs.map((r) => r.id)).toEqual(["rec-new-1", "rec-new-0", "rec-garage"]);
    expect(recs[0]).toEqual({
      id: "rec-new-1",
      cameraId: "front-door",
      eventId: "ev-new",
      index: 1,
      path: join(stateDir, "clips/front-door/rec-new-1.mp4"),
      startedAt: now - HOUR + 20_000,
      endedAt: now - HOUR + 40_000,
      durationMs: 20_000,
      sizeBytes: 2 * 1024 * 1024,
      format: "mp4",
      uploadState: "uploaded",
      uploaded: true,
      uploadedAt: now,
    });
    expect(recs[2]?.path).toBe("/media/garage.mp4");

    const byEvent = await runCli([
      "recordings",
      "list",
      "--event",
      "ev-garage",
      "--json",
      "--config",
      config,
    ]);
    expect((JSON.parse(byEvent.stdout) as RecordingListItem[]).map((r) => r.id)).toEqual(["rec-garage"]);

    const table = await runCli(["recordings", "list", "--camera", "front-door", "--config", config]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+CAMERA\s+EVENT\s+STARTED\s+DURATION\s+SIZE\s+UPLOAD\s+FILE$/);
    expect(lines[1]).toMatch(
      /^rec-new-1\s+front-door\s+ev-new\s+.+\s+20\.0 s\s+2\.0 MiB\s+uploaded\s+\/.+rec-new-1\.mp4$/,
    );
    expect(lines[2]).toMatch(/\s+pending\s+/);
  });

  it("reads while the agent holds the database open in WAL mode and sees its latest commit", async () => {
    const store = await openAgentStore(stateDir, { log: silent });
    try {
      await store.db
        .insertInto("events")
        .values({
          id: "ev-while-running",
          camera_id: "garage",
          type: "motion",
          started_at: now,
          score: 1,
          created_at: now,
        })
        .execute();
      expect(existsSync(join(stateDir, `${DB_FILE_NAME}-wal`))).toBe(true);
      const r = await runCli(["events", "list", "--camera", "garage", "--json", "--config", config]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as EventListItem[]).map((e) => e.id)).toEqual([
        "ev-while-running",
        "ev-garage",
      ]);
      await store.db.deleteFrom("events").where("id", "=", "ev-while-running").execute();
    } finally {
      await store.close();
    }
  });

  it("bad flags exit 2 with the flag named; a missing database exits 1 saying why", async () => {
    const emptyState = join(dir, "empty.yaml");
    writeFileSync(emptyState, `stateDir: ${JSON.stringify(join(dir, "nothing-here"))}\n`);
    const [since, limit, unknown, missing] = await Promise.all([
      runCli(["events", "list", "--since", "last tuesday", "--config", config]),
      runCli(["recordings", "list", "--limit", "many", "--config", config]),
      runCli(["events", "list", "--colour", "blue", "--config", config]),
      runCli(["events", "list", "--config", emptyState]),
    ]);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/^homecam: --since: 'last tuesday' is neither a duration/);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("--limit: must be a whole number from 1 to 10000");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no database at ${join(dir, "nothing-here", DB_FILE_NAME)}`);
  });
});

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
