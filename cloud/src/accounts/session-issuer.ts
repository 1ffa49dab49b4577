import type { SessionData } from "@homecam/shared";
import type { AccountsContext } from "./context.js";
import { toUserView, type UserRow } from "./user-store.js";

/** A new sign-in session for `user`: refresh family, first refresh token, access token. */
export async function issueSession(
  ctx: AccountsContext,
  user: UserRow,
  userAgent: string | null,
): Promise<SessionData> {
  const refresh = await ctx.refresh.startFamily(user.id, userAgent);
  const accessToken = await ctx.tokens.issueAccess(user, refresh.familyId);
  return {
    accessToken,
    refreshToken: refresh.token,
    tokenType: "Bearer",
    expiresIn: ctx.tokens.accessTtlSeconds,
    refreshExpiresAt: refresh.expiresAt,
    user: toUserView(user),
  };
}
