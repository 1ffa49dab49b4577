import {
  ApiError,
  type loginBodySchema,
  type registerBodySchema,
  type SessionData,
  type tokenPairSchema,
} from "@homecam/shared";
import type { z } from "zod";
import { passwordProblem } from "../auth/password-policy.js";
import { verificationMail } from "../mail/templates.js";
import type { AccountsContext, RequestMeta } from "./context.js";
import { fieldError } from "./field-error.js";
import { issueSession } from "./session-issuer.js";
import { DuplicateUserError, type UserRow } from "./user-store.js";

type RegisterBody = z.output<typeof registerBodySchema>;
type LoginBody = z.output<typeof loginBodySchema>;
type TokenPair = z.output<typeof tokenPairSchema>;

const WRONG_LOGIN = "wrong e-mail or password";

/** Register, log in, refresh, log out. */
export class AuthService {
  constructor(private readonly ctx: AccountsContext) {}

  async register(body: RegisterBody, meta: RequestMeta): Promise<SessionData> {
    const { ctx } = this;
    await ctx.limits.take([
      ["registerIp", meta.ip],
      ["registerAccount", body.email],
    ]);
    const problem = passwordProblem(body.password, body.email);
    if (problem) throw fieldError("password", problem);
    // Registration tells whether an address has an account (409); the limits above bound how fast
    // anyone can ask. Forgot-password, by contrast, never tells.
    if (await ctx.users.byEmail(body.email))
      throw new ApiError("E_CONFLICT", "an account with this e-mail exists");
    const passwordHash = await ctx.hasher.hash(body.password);
    const now = ctx.clock.now();
    let user: UserRow;
    try {
      user = await ctx.users.create(
        { email: body.email, passwordHash, name: body.name, provider: "local", emailVerified: false },
        now,
        {
          version: ctx.config.auth.termsVersion,
          agreeTerms: body.agreeTerms,
          agreePrivacy: body.agreePrivacy,
          agreeMicrophone: body.agreeMicrophone,
          agreeLocation: body.agreeLocation,
          agreeMarketing: body.agreeMarketing,
        },
      );
    } catch (err) {
      if (err instanceof DuplicateUserError)
        throw new ApiError("E_CONFLICT", "an account with this e-mail exists");
      throw err;
    }
    ctx.log.info({ userId: user.id }, "account registered");
    await sendVerificationCode(ctx, user);
    user = { ...user, last_login_at: now };
    await ctx.users.update(user.id, { last_login_at: now }, now);
    return issueSession(ctx, user, meta.userAgent);
  }

  async login(body: LoginBody, meta: RequestMeta): Promise<SessionData> {
    const { ctx } = this;
    const slots = await ctx.limits.take([
      ["loginAccount", body.email],
      ["loginIp", meta.ip],
    ]);
    const user = await ctx.users.byEmail(body.email);
    if (!user?.password_hash) {
      await ctx.hasher.burn(body.password);
      throw new ApiError("E_UNAUTHORIZED", WRONG_LOGIN);
    }
    const check = await ctx.hasher.verify(body.password, user.password_hash);
    if (!check.ok) {
      ctx.log.info({ userId: user.id, ip: meta.ip }, "wrong password");
      throw new ApiError("E_UNAUTHORIZED", WRONG_LOGIN);
    }
    await slots.refund();
    if (user.is_active !== 1) throw new ApiError("E_FORBIDDEN", "this account is deactivated");
    const now = ctx.clock.now();
    const patch: Partial<UserRow> = { last_login_at: now };
    if (check.needsRehash) patch.password_hash = await ctx.hasher.hash(body.password);
    await ctx.users.update(user.id, patch, now);
    return issueSession(ctx, { ...user, ...patch }, meta.userAgent);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const { ctx } = this;
    const r = await ctx.refresh.rotate(refreshToken);
    if (!r.ok) {
      if (r.reason === "reused" && r.userId) ctx.authenticator.invalidate(r.userId);
      throw new ApiError("E_UNAUTHORIZED", "refresh token not valid: sign in again");
    }
    const user = await ctx.users.byId(r.userId);
    if (user?.is_active !== 1) {
      await ctx.refresh.revokeFamily(r.familyId, "inactive");
      throw new ApiError("E_UNAUTHORIZED", "refresh token not valid: sign in again");
    }
    return {
      accessToken: await ctx.tokens.issueAccess(user, r.familyId),
      refreshToken: r.token,
      tokenType: "Bearer",
      expiresIn: ctx.tokens.accessTtlSeconds,
      refreshExpiresAt: r.expiresAt,
    };
  }

  /** End the session of `refreshToken`, or else the one the access token belongs to. */
  async logout(refreshToken: string | undefined, sessionId: string | undefined): Promise<void> {
    const { ctx } = this;
    if (refreshToken !== undefined) {
      const family = await ctx.refresh.familyOf(refreshToken);
      // An unknown token ends nothing, and logging out is idempotent: still a success.
      if (family) {
        await ctx.refresh.revokeFamily(family.familyId, "logout");
        ctx.authenticator.invalidate(family.userId);
      }
      return;
    }
    if (sessionId === undefined)
      throw new ApiError("E_UNAUTHORIZED", "send the refresh token or an access token");
    await ctx.refresh.revokeFamily(sessionId, "logout");
    ctx.authenticator.invalidate();
  }
}

/** Issue a verify_email code and mail it in the background. */
export async function sendVerificationCode(
  ctx: AccountsContext,
  user: UserRow,
): Promise<{ expiresAt: number }> {
  const { code, expiresAt } = await ctx.codes.issue(user.id, user.email, "verify_email");
  const minutes = Math.round(ctx.codes.ttlMs / 60_000);
  ctx.background.run("verification mail", () => ctx.mailer.send(verificationMail(user.email, code, minutes)));
  return { expiresAt };
}
