import { type Kysely, type QueryExecutorProvider, sql } from "kysely";
import type { CloudDatabase } from "../db/schema.js";

// The bookkeeping shared by the follow-up tables of owner deletions (`event_deletions`, 0008;
// `recording_deletions`, 0009): one row per deleted thing, done when its stored objects are purged
// and its agent was told. The tables differ only in the names of their two id columns, so the
// statements are written once here with the table and column names as identifiers.

/** One follow-up row, whatever its table. */
export interface DeletionWork {
  /** The cloud id of the deleted event or recording. */
  targetId: string;
  deviceId: string;
  /** The agent's id of it, as the command names it. */
  agentId: string;
  requestedAt: number;
  purgedAt: number | null;
  agentToldAt: number | null;
  attempts: number;
}

/** Where a kind of deletion keeps its follow-up rows. */
export interface LedgerTable {
  table: "event_deletions" | "recording_deletions";
  /** Column of the deleted thing's cloud id (the primary key). */
  idColumn: "event_id" | "recording_id";
  /** Column of the agent's id of it. */
  agentIdColumn: "agent_event_id" | "agent_recording_id";
}

interface Row {
  target_id: string;
  device_id: string;
  agent_id: string;
  requested_at: number;
  purged_at: number | null;
  agent_told_at: number | null;
  attempts: number;
}

const toWork = (r: Row): DeletionWork => ({
  targetId: r.target_id,
  deviceId: r.device_id,
  agentId: r.agent_id,
  // int8 is a JS number on both dialects already (open-database.ts); Number() pins the type.
  requestedAt: Number(r.requested_at),
  purgedAt: r.purged_at === null ? null : Number(r.purged_at),
  agentToldAt: r.agent_told_at === null ? null : Number(r.agent_told_at),
  attempts: Number(r.attempts),
});

export class DeletionLedger {
  constructor(
    private readonly db: Kysely<CloudDatabase>,
    private readonly t: LedgerTable,
  ) {}

  private columns() {
    const { idColumn, agentIdColumn } = this.t;
    return sql`${sql.ref(idColumn)} as target_id, device_id, ${sql.ref(agentIdColumn)} as agent_id,
      requested_at, purged_at, agent_told_at, attempts`;
  }

  async get(targetId: string): Promise<DeletionWork | undefined> {
    const { rows } = await sql<Row>`select ${this.columns()} from ${sql.table(this.t.table)}
      where ${sql.ref(this.t.idColumn)} = ${targetId}`.execute(this.db);
    return rows[0] && toWork(rows[0]);
  }

  /** Unfinished rows, oldest first (optionally of one device). */
  async unfinished(deviceId?: string, limit = 500): Promise<DeletionWork[]> {
    const ofDevice = deviceId === undefined ? sql`` : sql`and device_id = ${deviceId}`;
    const { rows } = await sql<Row>`select ${this.columns()} from ${sql.table(this.t.table)}
      where (purged_at is null or agent_told_at is null) ${ofDevice}
      order by requested_at, ${sql.ref(this.t.idColumn)} limit ${limit}`.execute(this.db);
    return rows.map(toWork);
  }

  /** Mark the objects purged, inside the transaction that cleared their keys. */
  async markPurged(trx: QueryExecutorProvider, targetId: string, now: number): Promise<void> {
    await sql`update ${sql.table(this.t.table)} set purged_at = ${now}
      where ${sql.ref(this.t.idColumn)} = ${targetId}`.execute(trx);
  }

  async markTold(targetId: string, now: number): Promise<void> {
    await sql`update ${sql.table(this.t.table)} set agent_told_at = ${now}
      where ${sql.ref(this.t.idColumn)} = ${targetId}`.execute(this.db);
  }

  /** A failed attempt (storage or agent); the reason is a code or message, never a secret. */
  async markFailed(targetId: string, reason: string): Promise<void> {
    await sql`update ${sql.table(this.t.table)}
      set attempts = attempts + 1, last_error = ${reason.slice(0, 500)}
      where ${sql.ref(this.t.idColumn)} = ${targetId}`.execute(this.db);
  }
}
