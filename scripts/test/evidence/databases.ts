import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DB_FILE_NAME } from "../../../agent/src/store/agent-store.js";

// Read-only looks into the programs' SQLite files (WAL mode: a reader never blocks the writer).
// The tests count rows here because "exactly once" is a statement about what was stored.

/** Run `read` on a read-only connection to `file`; undefined while the file is not there or not migrated. */
export function readSqlite<T>(file: string, read: (db: Database.Database) => T): T | undefined {
  if (!existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 2000");
    return read(db);
  } catch (err) {
    if (/no such table/.test(String(err))) return undefined;
    throw err;
  } finally {
    db?.close();
  }
}

export const agentDbFile = (stateDir: string) => join(stateDir, DB_FILE_NAME);

export interface AgentEventRow {
  id: string;
  camera_id: string;
  started_at: number;
  ended_at: number | null;
}

export interface AgentRecordingRow {
  id: string;
  event_id: string | null;
  camera_id: string;
  started_at: number;
  duration_ms: number;
  size_bytes: number;
  upload_state: string;
  created_at: number;
}

export interface AgentState {
  events: AgentEventRow[];
  recordings: AgentRecordingRow[];
  /** Outbox rows the broker acknowledged. */
  deliveredIds: string[];
  undelivered: number;
}

export function readAgent(stateDir: string): AgentState | undefined {
  return readSqlite(agentDbFile(stateDir), (db) => ({
    events: db
      .prepare("select id, camera_id, started_at, ended_at from events order by started_at")
      .all() as AgentEventRow[],
    recordings: db
      .prepare(
        "select id, event_id, camera_id, started_at, duration_ms, size_bytes, upload_state, created_at from recordings order by started_at, idx",
      )
      .all() as AgentRecordingRow[],
    deliveredIds: (
      db.prepare("select id from outbox where delivered_at is not null").all() as { id: string }[]
    ).map((r) => r.id),
    undelivered: (
      db.prepare("select count(*) as n from outbox where delivered_at is null and dead_at is null").get() as {
        n: number;
      }
    ).n,
  }));
}

export interface CloudEventRow {
  id: string;
  agent_event_id: string;
  camera_id: string;
  started_at: number;
  ended_at: number | null;
  created_at: number;
}

export interface CloudRecordingRow {
  id: string;
  agent_recording_id: string;
  agent_event_id: string | null;
  object_key: string | null;
  uploaded_at: number | null;
  size_bytes: number;
}

export interface CloudState {
  events: CloudEventRow[];
  recordings: CloudRecordingRow[];
  ingestedIds: string[];
}

export function readCloud(dbFile: string, deviceId: string): CloudState | undefined {
  return readSqlite(dbFile, (db) => ({
    events: db
      .prepare(
        "select id, agent_event_id, camera_id, started_at, ended_at, created_at from events where device_id = ? order by started_at",
      )
      .all(deviceId) as CloudEventRow[],
    recordings: db
      .prepare(
        "select id, agent_recording_id, agent_event_id, object_key, uploaded_at, size_bytes from recordings where device_id = ?",
      )
      .all(deviceId) as CloudRecordingRow[],
    ingestedIds: (
      db.prepare("select message_id from ingested_messages where device_id = ?").all(deviceId) as {
        message_id: string;
      }[]
    ).map((r) => r.message_id),
  }));
}
