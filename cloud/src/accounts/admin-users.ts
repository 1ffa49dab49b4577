import { ApiError, encodePageCursor, type PageCursor, type Role, type UserView } from "@homecam/shared";
import type { Principal } from "../api/principal.js";
import type { AccountsContext } from "./context.js";
import { toUserView, type UserRow } from "./user-store.js";

/** Seed 001's user administration: list, activate/deactivate, change role. */
export class AdminUsersService {
  constructor(private readonly ctx: AccountsContext) {}

  async list(q: {
    search?: string | undefined;
    limit?: number | undefined;
    cursor?: PageCursor | undefined;
  }) {
    const limit = q.limit ?? 50;
    const rows = await this.ctx.users.list({ search: q.search, limit, cursor: q.cursor });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      users: page.map(toUserView),
      nextCursor:
        rows.length > limit && last ? encodePageCursor({ createdAt: last.created_at, id: last.id }) : null,
    };
  }

  /**
   * Deactivation ends every session and refuses every token at once (ASVS 5.0 7.4.2); a role change
   * applies to the next request, since the authenticator reads the role from the database. An
   * administrator cannot deactivate or demote themselves, so at least one administrator remains.
   */
  async patch(
    admin: Principal,
    id: string,
    body: { isActive?: boolean | undefined; role?: Role | undefined },
  ) {
    const { ctx } = this;
    if (id === admin.userId && (body.isActive === false || body.role === "user")) {
      throw new ApiError("E_FORBIDDEN", "administrators cannot deactivate or demote themselves");
    }
    const user = await ctx.users.byId(id);
    if (!user) throw new ApiError("E_NOT_FOUND", "no such user");
    const now = ctx.clock.now();
    const patch: Partial<UserRow> = {};
    if (body.role !== undefined) patch.role = body.role;
    if (body.isActive !== undefined) patch.is_active = body.isActive ? 1 : 0;
    if (body.isActive === false && user.is_active === 1) patch.tokens_valid_after = now;
    await ctx.users.update(id, patch, now);
    if (patch.tokens_valid_after !== undefined) await ctx.refresh.revokeUser(id, "deactivated");
    ctx.authenticator.invalidate(id);
    ctx.log.info({ userId: id, by: admin.userId, ...body }, "user changed by an administrator");
    const updated: UserView = toUserView({ ...user, ...patch, updated_at: now });
    return updated;
  }
}
