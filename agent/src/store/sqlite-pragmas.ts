import type { Database } from "better-sqlite3";

/** The connection settings the agent relies on, read back from SQLite. */
export interface StorePragmas {
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

/**
 * Apply the connection settings. Returns the journal mode SQLite actually chose: WAL cannot be
 * enabled on some file systems (network mounts), and SQLite then silently keeps the old mode.
 */
export function applyPragmas(sqlite: Database): string {
  const journalMode = String(sqlite.pragma("journal_mode = WAL", { simple: true }));
  // A writer waits up to 5 s for another connection (the CLI's `events list` while the agent runs)
  // instead of failing at once with SQLITE_BUSY.
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  // In WAL mode NORMAL may lose the last commits on power loss; FULL fsyncs the WAL on every
  // commit. SD cards on a Pi lose power routinely, and an event or outbox row the agent has
  // acknowledged must still exist after the reboot — a few ms per commit buys that.
  sqlite.pragma("synchronous = FULL");
  return journalMode;
}

export function readPragmas(sqlite: Database): StorePragmas {
  return {
    journalMode: String(sqlite.pragma("journal_mode", { simple: true })),
    synchronous: Number(sqlite.pragma("synchronous", { simple: true })),
    foreignKeys: Number(sqlite.pragma("foreign_keys", { simple: true })) === 1,
    busyTimeoutMs: Number(sqlite.pragma("busy_timeout", { simple: true })),
  };
}

/** `PRAGMA integrity_check`: `ok: true` or the problems SQLite lists (at most 100). */
export function integrityCheck(sqlite: Database): { ok: boolean; problems: string[] } {
  const rows = sqlite.pragma("integrity_check") as { integrity_check: string }[];
  const lines = rows.map((r) => r.integrity_check);
  const ok = lines.length === 1 && lines[0] === "ok";
  return { ok, problems: ok ? [] : lines };
}
