import {
  ApiError,
  type changePasswordBodySchema,
  type ProfileUpdate,
  type termsAgreementSchema,
  type UserView,
} from "@homecam/shared";
import type { z } from "zod";
import type { Principal } from "../api/principal.js";
import { passwordProblem } from "../auth/password-policy.js";
import { fromFlag } from "../db/portable.js";
import { RateLimitedError } from "./auth-limits.js";
import { sendVerificationCode } from "./auth-service.js";
import type { AccountsContext, RequestMeta } from "./context.js";
import { fieldError, invalidCode } from "./field-error.js";
import { toUserView, type UserRow } from "./user-store.js";

type ChangePassword = z.output<typeof changePasswordBodySchema>;
type TermsAgreement = z.output<typeof termsAgreementSchema>;

/** The signed-in user's own account: profile, password, terms, e-mail verification. */
export class ProfileService {
  constructor(private readonly ctx: AccountsContext) {}

  async get(p: Principal): Promise<UserView> {
    return toUserView(await this.user(p));
  }

  async update(p: Principal, patch: ProfileUpdate): Promise<UserView> {
    await this.ctx.users.updateProfile(p.userId, patch, this.ctx.clock.now());
    return this.get(p);
  }

  /**
   * Change the password. Every access token issued before now is refused (`tokens_valid_after`)
   * and every other session ends (ASVS 5.0 7.4.3); this session continues with the access token
   * returned here.
   */
  async changePassword(p: Principal, body: ChangePassword) {
    const { ctx } = this;
    const sessionId = p.sessionId;
    if (!sessionId) throw new ApiError("E_FORBIDDEN", "only a signed-in session can change the password");
    const slots = await ctx.limits.take([["passwordAccount", p.userId]]);
    const user = await this.user(p);
    if (!user.password_hash) {
      throw new ApiError("E_FORBIDDEN", "this account has no password: set one with the password reset");
    }
    const check = await ctx.hasher.verify(body.currentPassword, user.password_hash);
    if (!check.ok) throw fieldError("currentPassword", "wrong password");
    await slots.refund();
    const problem = passwordProblem(body.newPassword, user.email);
    if (problem) throw fieldError("newPassword", problem);
    const now = ctx.clock.now();
    await ctx.users.update(
      user.id,
      { password_hash: await ctx.hasher.hash(body.newPassword), tokens_valid_after: now },
      now,
    );
    await ctx.refresh.revokeUser(user.id, "password_change", sessionId);
    ctx.authenticator.invalidate(user.id);
    ctx.log.info({ userId: user.id }, "password changed");
    return {
      accessToken: await ctx.tokens.issueAccess(user, sessionId),
      tokenType: "Bearer" as const,
      expiresIn: ctx.tokens.accessTtlSeconds,
    };
  }

  async terms(p: Principal): Promise<TermsAgreement[]> {
    const rows = await this.ctx.users.agreements(p.userId);
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      agreeTerms: fromFlag(r.agree_terms),
      agreePrivacy: fromFlag(r.agree_privacy),
      agreeMicrophone: fromFlag(r.agree_microphone),
      agreeLocation: fromFlag(r.agree_location),
      agreeMarketing: fromFlag(r.agree_marketing),
      createdAt: r.created_at,
    }));
  }

  async sendVerification(p: Principal): Promise<{ sent: true; expiresAt: number }> {
    const { ctx } = this;
    const user = await this.user(p);
    if (user.email_verified === 1) throw new ApiError("E_CONFLICT", "the e-mail address is already verified");
    await ctx.limits.take([["sendCodeAccount", user.id]]);
    const { expiresAt } = await sendVerificationCode(ctx, user);
    return { sent: true, expiresAt };
  }

  async verifyEmail(p: Principal, code: string, meta: RequestMeta): Promise<{ emailVerified: true }> {
    const { ctx } = this;
    const slots = await ctx.limits.take([
      ["verifyAccount", p.userId],
      ["verifyIp", meta.ip],
    ]);
    const user = await this.user(p);
    if (user.email_verified === 1) {
      await slots.refund();
      return { emailVerified: true };
    }
    const check = await ctx.codes.check(user.id, "verify_email", code);
    if (!check.ok) {
      if (check.reason === "daily_limit") throw new RateLimitedError(Math.ceil(check.retryAfterMs / 1000));
      throw invalidCode();
    }
    if (check.email !== user.email) throw invalidCode();
    await slots.refund();
    await ctx.users.update(user.id, { email_verified: 1 }, ctx.clock.now());
    ctx.log.info({ userId: user.id }, "e-mail verified");
    return { emailVerified: true };
  }

  async verificationStatus(p: Principal) {
    const user = await this.user(p);
    const pending = user.email_verified === 1 ? null : await this.ctx.codes.pending(user.id, "verify_email");
    return {
      email: user.email,
      emailVerified: user.email_verified === 1,
      codePending: pending !== null,
      codeExpiresAt: pending?.expiresAt ?? null,
    };
  }

  private async user(p: Principal): Promise<UserRow> {
    const user = await this.ctx.users.byId(p.userId);
    // The authenticator saw the row a moment ago; gone now means deleted meanwhile.
    if (!user) throw new ApiError("E_UNAUTHORIZED", "sign in again");
    return user;
  }
}
