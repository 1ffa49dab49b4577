import { randomBytes } from "node:crypto";
import {
  type AdminTicketView,
  ApiError,
  type PageCursor,
  type TicketStatus,
  type TicketView,
} from "@homecam/shared";
import type { Kysely, SelectQueryBuilder } from "kysely";
import { newestFirstPage } from "../db/keyset-page.js";
import type { CloudDatabase, TicketsTable } from "../db/schema.js";

export interface TicketServiceDeps {
  db: Kysely<CloudDatabase>;
  now?: () => number;
  /** Tickets a user may have open or in progress at once (default 20): bounds a flood. */
  maxOpenPerUser?: number;
}

export interface TicketListOptions {
  status?: TicketStatus | undefined;
  limit?: number | undefined;
  cursor?: PageCursor | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const DEFAULT_PAGE = 50;

/** Statuses after which a ticket counts as done (`resolvedAt` set). */
const DONE: ReadonlySet<TicketStatus> = new Set(["resolved", "closed"]);

/** Support tickets: users ask and read their own; administrators list, answer and close. */
export class TicketService {
  private readonly now: () => number;
  private readonly maxOpen: number;

  constructor(private readonly deps: TicketServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.maxOpen = deps.maxOpenPerUser ?? 20;
  }

  async create(userId: string, input: { subject: string; message: string }): Promise<TicketView> {
    const now = this.now();
    const row: TicketsTable = {
      id: randomBytes(16).toString("base64url"),
      user_id: userId,
      subject: input.subject,
      message: input.message,
      status: "open",
      admin_response: null,
      admin_id: null,
      created_at: now,
      updated_at: now,
      resolved_at: null,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom("tickets")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("user_id", "=", userId)
        .where("status", "in", ["open", "in_progress"])
        .executeTakeFirstOrThrow();
      if (Number(n) >= this.maxOpen) {
        throw new ApiError("E_CONFLICT", `at most ${this.maxOpen} open tickets: wait for an answer first`);
      }
      await trx.insertInto("tickets").values(row).execute();
    });
    return userView(row);
  }

  async listOwn(userId: string, opts: TicketListOptions): Promise<Page<TicketView>> {
    const page = await this.page(
      this.deps.db.selectFrom("tickets").selectAll().where("user_id", "=", userId),
      opts,
    );
    return { items: page.items.map(userView), nextCursor: page.nextCursor };
  }

  /** The user's own ticket, or null (another user's ticket is indistinguishable from none). */
  async getOwn(userId: string, id: string): Promise<TicketView | null> {
    const row = await this.deps.db
      .selectFrom("tickets")
      .selectAll()
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row ? userView(row) : null;
  }

  async listAll(opts: TicketListOptions): Promise<Page<AdminTicketView>> {
    const page = await this.page(this.deps.db.selectFrom("tickets").selectAll(), opts);
    return { items: page.items.map(adminView), nextCursor: page.nextCursor };
  }

  /**
   * Set the status (and the answer, when given) as administrator `adminId`. `resolvedAt` is set
   * when the ticket becomes resolved or closed, kept while it stays so (resolved → closed), and
   * cleared when it is reopened. Null when there is no such ticket.
   */
  async update(
    adminId: string,
    id: string,
    change: { status: TicketStatus; response?: string | undefined },
  ): Promise<AdminTicketView | null> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("tickets").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return null;
      const next: TicketsTable = {
        ...row,
        status: change.status,
        admin_response: change.response ?? row.admin_response,
        admin_id: adminId,
        updated_at: now,
        resolved_at: DONE.has(change.status) ? (DONE.has(row.status) ? row.resolved_at : now) : null,
      };
      await trx
        .updateTable("tickets")
        .set({
          status: next.status,
          admin_response: next.admin_response,
          admin_id: next.admin_id,
          updated_at: next.updated_at,
          resolved_at: next.resolved_at,
        })
        .where("id", "=", id)
        .execute();
      return adminView(next);
    });
  }

  // Newest first, keyset-paginated on (created_at, id).
  private async page(
    q: SelectQueryBuilder<CloudDatabase, "tickets", TicketsTable>,
    opts: TicketListOptions,
  ): Promise<Page<TicketsTable>> {
    const limit = opts.limit ?? DEFAULT_PAGE;
    if (opts.status) q = q.where("status", "=", opts.status);
    const page = await newestFirstPage(q, opts.cursor, limit);
    return { items: page.rows, nextCursor: page.nextCursor };
  }
}

function userView(row: TicketsTable): TicketView {
  return {
    id: row.id,
    subject: row.subject,
    message: row.message,
    status: row.status,
    adminResponse: row.admin_response,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
  };
}

function adminView(row: TicketsTable): AdminTicketView {
  return { ...userView(row), userId: row.user_id, adminId: row.admin_id };
}
