import type { resetPasswordBodySchema } from "@homecam/shared";
import type { z } from "zod";
import { passwordProblem } from "../auth/password-policy.js";
import { passwordResetMail } from "../mail/templates.js";
import { RateLimitedError } from "./auth-limits.js";
import type { AccountsContext, RequestMeta } from "./context.js";
import { fieldError, invalidCode } from "./field-error.js";

type ResetBody = z.output<typeof resetPasswordBodySchema>;

/** Forgotten password: a reset code by e-mail, then a new password with that code. */
export class RecoveryService {
  constructor(private readonly ctx: AccountsContext) {}

  /**
   * Always the same answer, in the same time: the lookup, the code and the mail happen after the
   * response, so neither the body, the status nor the latency tells whether `email` has an account
   * (ASVS 5.0 6.3.8). The limits (per address and per IP) are the only thing checked up front.
   */
  async forgot(email: string, meta: RequestMeta): Promise<void> {
    const { ctx } = this;
    await ctx.limits.take([
      ["forgotAccount", email],
      ["forgotIp", meta.ip],
    ]);
    ctx.background.run("password reset mail", async () => {
      const user = await ctx.users.byEmail(email);
      if (!user) {
        ctx.log.info("password reset asked for an unknown e-mail");
        return;
      }
      const { code } = await ctx.codes.issue(user.id, user.email, "reset_password");
      await ctx.mailer.send(passwordResetMail(user.email, code, Math.round(ctx.codes.ttlMs / 60_000)));
    });
  }

  async reset(body: ResetBody, meta: RequestMeta): Promise<void> {
    const { ctx } = this;
    const slots = await ctx.limits.take([
      ["resetAccount", body.email],
      ["resetIp", meta.ip],
    ]);
    const problem = passwordProblem(body.newPassword, body.email);
    if (problem) {
      // Refused before the code is tried: a bad new password must not burn a try.
      await slots.refund();
      throw fieldError("newPassword", problem);
    }
    const user = await ctx.users.byEmail(body.email);
    if (!user) throw invalidCode();
    const check = await ctx.codes.check(user.id, "reset_password", body.code);
    if (!check.ok) {
      if (check.reason === "daily_limit") throw new RateLimitedError(Math.ceil(check.retryAfterMs / 1000));
      throw invalidCode();
    }
    if (check.email !== user.email) throw invalidCode();
    await slots.refund();
    const now = ctx.clock.now();
    const passwordHash = await ctx.hasher.hash(body.newPassword);
    // The code proved the address, so it counts as verified. Every session ends: whoever knew the
    // old password must not stay signed in.
    await ctx.users.update(
      user.id,
      { password_hash: passwordHash, email_verified: 1, tokens_valid_after: now },
      now,
    );
    await ctx.refresh.revokeUser(user.id, "password_reset");
    ctx.authenticator.invalidate(user.id);
    ctx.log.info({ userId: user.id }, "password reset");
  }
}
