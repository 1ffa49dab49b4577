import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../../src/store/agent-store.js";
import { tempDir, waitFor } from "../capture/helpers.js";

// `kill -9` of the real agent (CLI, tsx, its ffmpeg) in the middle of events, over and over: the
// database must pass integrity_check, keep every committed event and clip row, never point at a
// missing file or event, and the next start must close what the kill left open.

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
const ROUNDS = 6;

interface EventRow {
  id: string;
  type: string;
  started_at: number;
  ended_at: number | null;
  metadata: string;
  created_at: number;
}
interface RecordingRow {
  id: string;
  event_id: string | null;
  file_path: string;
}
interface DbState {
  integrity: string;
  foreignKeyProblems: number;
  events: EventRow[];
  recordings: RecordingRow[];
}

/** Read the agent's database with a read-only connection of our own. */
function readDb(file: string): DbState {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: String(db.pragma("integrity_check", { simple: true })),
      foreignKeyProblems: (db.pragma("foreign_key_check") as unknown[]).length,
      events: db
        .prepare("select id, type, started_at, ended_at, metadata, created_at from events")
        .all() as EventRow[],
      recordings: db.prepare("select id, event_id, file_path from recordings").all() as RecordingRow[],
    };
  } finally {
    db.close();
  }
}

/** Like readDb, but undefined while the agent has not created the database yet. */
function tryReadDb(file: string): DbState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return readDb(file);
  } catch {
    return undefined; // created but not migrated yet
  }
}

/** Processes in a process group, with their command names (from /proc). */
function groupMembers(pgid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push({ pid: Number(name), comm });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("kill -9 of the agent during events", () => {
  const children: ChildProcess[] = [];
  let dir: { path: string; remove(): Promise<void> } | undefined;
  afterAll(async () => {
    for (const c of children) if (c.pid && groupAlive(c.pid)) process.kill(-c.pid, "SIGKILL");
    await dir?.remove();
  });

  it(`keeps the database intact and consistent over ${ROUNDS} kills, and recovers what they left open`, async () => {
    dir = await tempDir("kill9");
    const stateDir = join(dir.path, "state");
    const dbFile = join(stateDir, DB_FILE_NAME);
    const clipsDir = join(stateDir, "clips");
    const config = join(dir.path, "agent.yaml");
    writeFileSync(
      config,
      [
        `stateDir: ${JSON.stringify(stateDir)}`,
        "http: { host: 127.0.0.1, port: 0 }",
        "cloud: { enabled: false }",
        "storage: { minFreeMB: 0 }",
        "log: { level: debug }",
        "cameras:",
        "  - id: yard",
        "    name: Yard",
        "    source: { type: test, width: 320, height: 180, fps: 10 }",
        "    motion: { analysisFps: 10, analysisWidth: 160, eventGapSeconds: 2 }",
        "    recording: { preRollSeconds: 2, postRollSeconds: 2, segmentSeconds: 1 }",
        "",
      ].join("\n"),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("HOMECAM_")) delete env[key];
    const start = (n: number) => {
      const log = openSync(join(dir!.path, `agent-${n}.log`), "w");
      // Its own process group: `kill -9 -pgid` takes the agent, tsx's esbuild and ffmpeg at once.
      const child = spawn(
        process.execPath,
        ["--conditions=source", "--import", "tsx", "agent/src/cli.ts", "run", "--config", config],
        { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", log, log] },
      );
      children.push(child);
      return child;
    };
    const logTail = (n: number) =>
      readFileSync(join(dir!.path, `agent-${n}.log`), "utf8")
        .split("\n")
        .slice(-15);

    const rounds: Array<Record<string, string | number | boolean>> = [];
    let leftOpen: string[] = [];
    for (let round = 1; round <= ROUNDS + 1; round++) {
      const spawnedAt = Date.now();
      const child = start(round);
      const pgid = child.pid!;
      try {
        // What the previous kill left open is closed at start, before capture begins.
        if (leftOpen.length) {
          await waitFor(
            "interrupted events closed",
            () => {
              const s = tryReadDb(dbFile);
              return s && leftOpen.every((id) => s.events.find((e) => e.id === id)?.ended_at != null);
            },
            20_000,
          );
          for (const e of readDb(dbFile).events.filter((e) => leftOpen.includes(e.id))) {
            expect(JSON.parse(e.metadata)).toMatchObject({ interrupted: true, endReason: "interrupted" });
            expect(e.ended_at).toBeGreaterThanOrEqual(e.started_at);
          }
        }
        if (round > ROUNDS) break;

        // Kill at different moments: as an event opens, after its progress was written, while a
        // clip is being written (a temporary file exists), after clips were committed.
        const moment = ["open", "updated", "writing-clip", "open", "committed", "updated"][round - 1]!;
        const openEvent = (s: DbState | undefined) =>
          s?.events.find((e) => e.ended_at === null && e.created_at >= spawnedAt);
        let caught = moment;
        if (moment === "writing-clip") {
          const tmp = await waitFor(
            "a clip being written",
            () => {
              try {
                return readdirSync(clipsDir, { recursive: true }).some((p) => String(p).endsWith(".tmp"));
              } catch {
                return false;
              }
            },
            25_000,
          ).catch(() => false);
          if (!tmp) caught = "writing-clip (missed: killed later)";
        } else if (moment === "committed") {
          await waitFor(
            "a committed clip and a newer open event",
            () => {
              const s = tryReadDb(dbFile);
              const open = openEvent(s);
              return (
                open &&
                s!.recordings.length > 0 &&
                s!.events.some((e) => e.ended_at && e.created_at >= spawnedAt)
              );
            },
            30_000,
          );
        } else {
          await waitFor(
            `an event in progress (${moment})`,
            () => {
              const open = openEvent(tryReadDb(dbFile));
              if (!open) return false;
              // `updated`: the progress write (peak boxes, frames) came after the insert.
              return moment === "open" || (JSON.parse(open.metadata) as { frames?: number }).frames! > 8;
            },
            25_000,
          );
        }
        const members = groupMembers(pgid);
        expect(members.map((m) => m.comm)).toEqual(expect.arrayContaining(["ffmpeg"]));
        const before = readDb(dbFile);

        process.kill(-pgid, "SIGKILL");
        await waitFor(
          "the agent and its ffmpeg gone",
          () => !groupAlive(pgid) && groupMembers(pgid).length === 0,
          5_000,
        );

        const after = readDb(dbFile);
        expect(after.integrity).toBe("ok");
        expect(after.foreignKeyProblems).toBe(0);
        const events = new Map(after.events.map((e) => [e.id, e]));
        for (const e of before.events) {
          const now = events.get(e.id);
          expect(now, `event ${e.id} committed before the kill`).toBeDefined();
          if (e.ended_at !== null) expect(now!.ended_at).toBe(e.ended_at);
        }
        const recordings = new Set(after.recordings.map((r) => r.id));
        for (const r of before.recordings) expect(recordings.has(r.id)).toBe(true);
        for (const r of after.recordings) {
          expect(existsSync(r.file_path), `clip file of recording ${r.id}`).toBe(true);
          expect(r.event_id === null || events.has(r.event_id)).toBe(true);
        }
        leftOpen = after.events.filter((e) => e.ended_at === null).map((e) => e.id);
        expect(leftOpen.length).toBeGreaterThanOrEqual(moment === "writing-clip" ? 0 : 1);
        rounds.push({
          round,
          moment: caught,
          "ms after spawn": Date.now() - spawnedAt,
          killed: members.map((m) => m.comm).join("+"),
          events: after.events.length,
          open: leftOpen.length,
          clips: after.recordings.length,
          integrity: after.integrity,
        });
      } catch (err) {
        console.error(logTail(round).join("\n"));
        throw err;
      }
    }

    // The last start: stop it gracefully; nothing is left open, every clip has its file.
    const last = children.at(-1)!;
    const lastLog = join(dir.path, `agent-${ROUNDS + 1}.log`);
    // Signal handlers exist once start-up is complete.
    await waitFor(
      "the agent started",
      () => readFileSync(lastLog, "utf8").includes('"homecam agent started"'),
      20_000,
    );
    const exited = new Promise<number | null>((r) => last.once("exit", (code) => r(code)));
    process.kill(last.pid!, "SIGTERM");
    expect(await exited).toBe(0);
    await waitFor("the last agent's group gone", () => !groupAlive(last.pid!), 5_000);
    const final = readDb(dbFile);
    expect(final.integrity).toBe("ok");
    expect(final.events.filter((e) => e.ended_at === null)).toEqual([]);
    for (const r of final.recordings) expect(existsSync(r.file_path)).toBe(true);
    const interrupted = final.events.filter((e) => JSON.parse(e.metadata).interrupted === true);
    const recovered = interrupted.filter((e) => final.recordings.some((r) => r.event_id === e.id));
    const temp = readdirSync(clipsDir, { recursive: true }).filter((p) => String(p).endsWith(".tmp"));
    expect(temp).toEqual([]);
    console.table(rounds);
    console.log(
      `[kill9] ${rounds.length} kills; ${final.events.length} events, ${interrupted.length} closed as ` +
        `interrupted (${recovered.length} with a clip cut from the old ring), ${final.recordings.length} clips`,
    );
    expect(interrupted.length).toBeGreaterThanOrEqual(ROUNDS - 1);
  }, 150_000);
});
