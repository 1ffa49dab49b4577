import {
  changePasswordBodySchema,
  changePasswordResultSchema,
  emailVerificationStatusSchema,
  emailVerifiedSchema,
  profileUpdateSchema,
  termsHistorySchema,
  userViewSchema,
  verificationSentSchema,
  verifyEmailBodySchema,
} from "@homecam/shared";
import type { Router } from "express";
import { type ApiRegistry, withMessage } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { ProfileService } from "./profile-service.js";
import { requestMeta, withRetryAfter } from "./routes-common.js";

const tag = "profile";

/** `/api/profile*`: the seed's profile and e-mail verification paths, plus password and terms. */
export function profileRoutes(profile: ProfileService) {
  // Routes other than `public` always have a principal; this narrows the type.
  const me = (p: Principal | null): Principal => p as Principal;
  return (registry: ApiRegistry, router: Router): void => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/profile",
        summary: "The signed-in user's profile",
        tag,
        access: "user",
        response: userViewSchema,
        errors: ["E_TOKEN_EXPIRED"],
      },
      async ({ principal }) => profile.get(me(principal)),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/profile",
        summary: "Change name, nickname, bio, phone, birth date or picture URL",
        tag,
        access: "account",
        body: profileUpdateSchema,
        response: userViewSchema,
        errors: ["E_TOKEN_EXPIRED"],
      },
      async ({ principal, body }) => profile.update(me(principal), body),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/profile/password",
        summary: "Change the password (ends every other session; returns a new access token)",
        tag,
        access: "account",
        body: changePasswordBodySchema,
        response: changePasswordResultSchema,
        errors: ["E_TOKEN_EXPIRED", "E_RATE_LIMITED"],
      },
      async ({ principal, body, res }) => {
        const result = await withRetryAfter(res, profile.changePassword(me(principal), body));
        return withMessage(result, "password changed: other devices are signed out");
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/profile/terms",
        summary: "Terms agreements given, newest first",
        tag,
        access: "user",
        response: termsHistorySchema,
        errors: ["E_TOKEN_EXPIRED"],
      },
      async ({ principal }) => ({ agreements: await profile.terms(me(principal)) }),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/profile/email-verification",
        summary: "E-mail a new verification code (the previous one stops working)",
        tag,
        access: "account",
        response: verificationSentSchema,
        errors: ["E_TOKEN_EXPIRED", "E_CONFLICT", "E_RATE_LIMITED"],
      },
      async ({ principal, res }) => {
        const sent = await withRetryAfter(res, profile.sendVerification(me(principal)));
        return withMessage(sent, "a verification code is on its way");
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/profile/verify-email",
        summary: "Confirm the e-mail address with the 6-digit code",
        tag,
        access: "account",
        body: verifyEmailBodySchema,
        response: emailVerifiedSchema,
        errors: ["E_TOKEN_EXPIRED", "E_RATE_LIMITED"],
      },
      async ({ principal, body, req, res }) =>
        withRetryAfter(res, profile.verifyEmail(me(principal), body.code, requestMeta(req))),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/profile/email-verification-status",
        summary: "Whether the e-mail address is verified and a code is pending",
        tag,
        access: "user",
        response: emailVerificationStatusSchema,
        errors: ["E_TOKEN_EXPIRED"],
      },
      async ({ principal }) => profile.verificationStatus(me(principal)),
    );
  };
}
