import { type Kysely, sql } from "kysely";
import type { CloudDatabase, PairingSessionsTable } from "../db/schema.js";

// SQL of pairing sessions. Every counter and state change is a single conditional UPDATE, so two
// requests racing on one session (two claims, a claim and a wrong PIN) are serialised by the
// database on SQLite and PostgreSQL alike — never read-modify-write in JS.

/** The 5th wrong PIN burns a session. */
export const MAX_WRONG_PINS = 5;

/** A pairing session row, camelCased. */
export interface PairingSessionRow {
  id: string;
  deviceId: string;
  pinHmac: string;
  origin: PairingSessionsTable["origin"];
  invitedBy: string | null;
  state: PairingSessionsTable["state"];
  failedAttempts: number;
  createdAt: number;
  expiresAt: number;
  claimedBy: string | null;
  claimedAt: number | null;
  claimedRole: "owner" | "viewer" | null;
}

/** What a new session is inserted with. */
export type NewPairingSession = Pick<
  PairingSessionRow,
  "id" | "deviceId" | "pinHmac" | "origin" | "invitedBy" | "createdAt" | "expiresAt"
>;

/** SQLite `SQLITE_CONSTRAINT_UNIQUE` (or a primary key), PostgreSQL 23505. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/** The state a caller should see: an open session past its expiry is expired. */
export function effectiveState(row: PairingSessionRow, now: number): PairingSessionRow["state"] {
  return row.state === "open" && row.expiresAt <= now ? "expired" : row.state;
}

/** Reads and conditional updates of `pairing_sessions`. */
export class PairingStore {
  constructor(private readonly db: Kysely<CloudDatabase>) {}

  /**
   * Close every open session past its expiry. Run before drawing a PIN: the partial unique index
   * on `pin_hmac where state = 'open'` then means "unique among live sessions".
   */
  async expireStale(now: number): Promise<void> {
    await this.db
      .updateTable("pairing_sessions")
      .set({ state: "expired" })
      .where("state", "=", "open")
      .where("expires_at", "<=", now)
      .execute();
  }

  /** Cancel the device's open device-origin sessions (a new QR replaces the one on screen). */
  async cancelOpenFromDevice(deviceId: string): Promise<void> {
    await this.db
      .updateTable("pairing_sessions")
      .set({ state: "cancelled" })
      .where("device_id", "=", deviceId)
      .where("origin", "=", "device")
      .where("state", "=", "open")
      .execute();
  }

  /** Insert an open session. Returns false when its PIN is already used by an open session. */
  async insert(s: NewPairingSession): Promise<boolean> {
    try {
      await this.db
        .insertInto("pairing_sessions")
        .values({
          id: s.id,
          device_id: s.deviceId,
          pin_hmac: s.pinHmac,
          origin: s.origin,
          invited_by: s.invitedBy,
          state: "open",
          failed_attempts: 0,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          claimed_by: null,
          claimed_at: null,
          claimed_role: null,
        })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** A session by id, in any state; null when unknown. */
  async get(id: string): Promise<PairingSessionRow | null> {
    const row = await this.db
      .selectFrom("pairing_sessions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toRow(row) : null;
  }

  /** The live (open, unexpired) session whose PIN has this HMAC; null when none. */
  async findOpenByPin(pinHmac: string, now: number): Promise<PairingSessionRow | null> {
    const row = await this.db
      .selectFrom("pairing_sessions")
      .selectAll()
      .where("pin_hmac", "=", pinHmac)
      .where("state", "=", "open")
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? toRow(row) : null;
  }

  /**
   * Count one wrong PIN on a live session, burning it at the {@link MAX_WRONG_PINS}th, in one
   * statement (both SET expressions read the row's old values). Returns the new counter and
   * state, or null when the session was no longer live.
   */
  async wrongTry(
    id: string,
    now: number,
  ): Promise<{ failedAttempts: number; state: PairingSessionRow["state"] } | null> {
    const row = await this.db
      .updateTable("pairing_sessions")
      .set({
        failed_attempts: sql<number>`failed_attempts + 1`,
        state: sql<
          PairingSessionRow["state"]
        >`case when failed_attempts + 1 >= ${sql.lit(MAX_WRONG_PINS)} then 'burned' else state end`,
      })
      .where("id", "=", id)
      .where("state", "=", "open")
      .where("expires_at", ">", now)
      .returning(["failed_attempts", "state"])
      .executeTakeFirst();
    return row ? { failedAttempts: Number(row.failed_attempts), state: row.state } : null;
  }
}

/**
 * The single-use claim: one conditional UPDATE, so of any number of concurrent claims exactly one
 * matches `state = 'open'`. Runs on `db` (a transaction, so the grant commits with it).
 */
export async function claimOpenSession(
  db: Kysely<CloudDatabase>,
  id: string,
  userId: string,
  now: number,
): Promise<boolean> {
  const res = await db
    .updateTable("pairing_sessions")
    .set({ state: "claimed", claimed_by: userId, claimed_at: now })
    .where("id", "=", id)
    .where("state", "=", "open")
    .where("expires_at", ">", now)
    .where("failed_attempts", "<", MAX_WRONG_PINS)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

type DbRow = { [K in keyof PairingSessionsTable]: PairingSessionsTable[K] };

function toRow(r: DbRow): PairingSessionRow {
  return {
    id: r.id,
    deviceId: r.device_id,
    pinHmac: r.pin_hmac,
    origin: r.origin,
    invitedBy: r.invited_by,
    state: r.state,
    failedAttempts: Number(r.failed_attempts),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    claimedBy: r.claimed_by,
    claimedAt: r.claimed_at,
    claimedRole: r.claimed_role,
  };
}
