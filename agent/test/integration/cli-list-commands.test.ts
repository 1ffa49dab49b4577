import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventListItem } from "../../src/commands/events-list.js";
import type { RecordingListItem } from "../../src/commands/recordings-list.js";
import { type AgentStore, DB_FILE_NAME, openAgentStore } from "../../src/store/agent-store.js";
import { runCli, silent } from "./cli-helpers.js";

// `events list` / `recordings list` read a real SQLite store, read-only.

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
