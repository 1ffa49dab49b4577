import { ApiError, type SessionData } from "@homecam/shared";
import type { AccountsContext, RequestMeta } from "./context.js";
import { issueSession } from "./session-issuer.js";
import { DuplicateUserError, type UserRow } from "./user-store.js";

/**
 * Sign-in with Google. The account is found by Google's `sub` (ASVS 5.0 6.8.1: identify by IdP
 * user id, never by e-mail alone). The first time, it is linked to the account with the same
 * e-mail only when Google says `email_verified`; otherwise a new account is created.
 *
 * Pre-account takeover: someone may have registered the victim's address with a password they
 * know, without ever verifying it. When Google proves the address for an account whose e-mail was
 * never verified, that password is dropped and its sessions end, so only the real owner stays in.
 */
export class GoogleService {
  constructor(private readonly ctx: AccountsContext) {}

  async signIn(idToken: string, meta: RequestMeta): Promise<{ session: SessionData; created: boolean }> {
    const { ctx } = this;
    await ctx.limits.take([["googleIp", meta.ip]]);
    if (!ctx.google) throw new ApiError("E_NOT_IMPLEMENTED", "sign-in with Google is not configured");
    const id = await ctx.google.verify(idToken);
    const now = ctx.clock.now();
    let created = false;
    let user = await ctx.users.byGoogleId(id.sub);
    if (!user) {
      if (!id.email) throw new ApiError("E_FORBIDDEN", "the Google account has no e-mail address");
      const existing = await ctx.users.byEmail(id.email);
      if (existing) {
        user = await this.link(existing, id.sub, id.emailVerified, now);
      } else {
        user = await this.create(id.email, id.sub, id.emailVerified, id.name, id.picture, now);
        created = true;
      }
    }
    if (user.is_active !== 1) throw new ApiError("E_FORBIDDEN", "this account is deactivated");
    await ctx.users.update(user.id, { last_login_at: now }, now);
    return { session: await issueSession(ctx, { ...user, last_login_at: now }, meta.userAgent), created };
  }

  private async link(user: UserRow, sub: string, emailVerified: boolean, now: number): Promise<UserRow> {
    const { ctx } = this;
    if (!emailVerified) {
      throw new ApiError(
        "E_CONFLICT",
        "an account with this e-mail exists and Google has not verified the address: sign in with the password",
      );
    }
    if (user.google_id !== null)
      throw new ApiError("E_CONFLICT", "this account is linked to another Google account");
    const patch: Partial<UserRow> = { google_id: sub, email_verified: 1 };
    if (user.email_verified !== 1) {
      patch.password_hash = null;
      patch.tokens_valid_after = now;
      await ctx.refresh.revokeUser(user.id, "google_link_unverified");
      ctx.authenticator.invalidate(user.id);
      ctx.log.warn({ userId: user.id }, "Google linked to an unverified account: its password was removed");
    }
    await ctx.users.update(user.id, patch, now);
    ctx.log.info({ userId: user.id }, "Google account linked");
    return { ...user, ...patch };
  }

  private async create(
    email: string,
    sub: string,
    emailVerified: boolean,
    name: string | null,
    picture: string | null,
    now: number,
  ): Promise<UserRow> {
    const displayName = (name?.trim() || email.split("@")[0] || "user").slice(0, 50);
    try {
      const user = await this.ctx.users.create(
        {
          email,
          passwordHash: null,
          name: displayName,
          provider: "google",
          googleId: sub,
          emailVerified,
          pictureUrl: picture && picture.length <= 2048 ? picture : null,
        },
        now,
      );
      this.ctx.log.info({ userId: user.id }, "account created with Google");
      return user;
    } catch (err) {
      if (err instanceof DuplicateUserError)
        throw new ApiError("E_CONFLICT", "signed up at the same moment: retry");
      throw err;
    }
  }
}
