import {
  forgotPasswordBodySchema,
  forgotPasswordResultSchema,
  googleBodySchema,
  loginBodySchema,
  logoutBodySchema,
  logoutResultSchema,
  refreshBodySchema,
  registerBodySchema,
  resetPasswordBodySchema,
  resetPasswordResultSchema,
  sessionSchema,
  tokenPairSchema,
} from "@homecam/shared";
import type { Router } from "express";
import { type ApiRegistry, withMessage } from "../api/api-route.js";
import type { AuthService } from "./auth-service.js";
import type { GoogleService } from "./google-service.js";
import type { RecoveryService } from "./recovery-service.js";
import { requestMeta, withRetryAfter } from "./routes-common.js";

export interface AuthRouteDeps {
  auth: AuthService;
  recovery: RecoveryService;
  google: GoogleService;
}

const tag = "auth";

/** `/api/auth/*`: the seed's register, login, google, refresh, logout, plus password recovery. */
export function authRoutes(deps: AuthRouteDeps) {
  return (registry: ApiRegistry, router: Router): void => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/register",
        summary: "Create an account (e-mails a verification code) and sign in",
        tag,
        access: "public",
        body: registerBodySchema,
        response: sessionSchema,
        status: 201,
        errors: ["E_CONFLICT"],
      },
      async ({ body, req, res }) => {
        const session = await withRetryAfter(res, deps.auth.register(body, requestMeta(req)));
        return withMessage(session, `account created: a verification code was sent to ${body.email}`, 201);
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/login",
        summary: "Sign in with e-mail and password",
        tag,
        access: "public",
        body: loginBodySchema,
        response: sessionSchema,
        errors: ["E_UNAUTHORIZED", "E_FORBIDDEN"],
      },
      async ({ body, req, res }) => withRetryAfter(res, deps.auth.login(body, requestMeta(req))),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/google",
        summary: "Sign in with a Google ID token (creates or links the account)",
        tag,
        access: "public",
        body: googleBodySchema,
        response: sessionSchema,
        errors: ["E_UNAUTHORIZED", "E_FORBIDDEN", "E_CONFLICT", "E_NOT_IMPLEMENTED"],
      },
      async ({ body, req, res }) => {
        const { session, created } = await withRetryAfter(
          res,
          deps.google.signIn(body.idToken, requestMeta(req)),
        );
        return created ? withMessage(session, "account created", 201) : session;
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/refresh",
        summary: "Exchange a refresh token for a new pair (the old one stops working)",
        tag,
        access: "public",
        body: refreshBodySchema,
        response: tokenPairSchema,
        errors: ["E_UNAUTHORIZED"],
      },
      async ({ body }) => deps.auth.refresh(body.refreshToken),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/logout",
        summary: "End the session of the refresh token sent, or else of the access token",
        tag,
        access: "public",
        body: logoutBodySchema,
        response: logoutResultSchema,
        errors: ["E_UNAUTHORIZED"],
      },
      async ({ body, principal }) => {
        // Public so an expired access token is no obstacle when the refresh token is sent; without
        // one, the access token must be valid (the registry resolved it), and its session ends.
        await deps.auth.logout(body.refreshToken, principal?.sessionId);
        return { loggedOut: true as const };
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/password/forgot",
        summary: "E-mail a password reset code (same answer whether the account exists or not)",
        tag,
        access: "public",
        body: forgotPasswordBodySchema,
        response: forgotPasswordResultSchema,
      },
      async ({ body, req, res }) => {
        await withRetryAfter(res, deps.recovery.forgot(body.email, requestMeta(req)));
        return withMessage(
          { accepted: true as const },
          "if an account uses this address, a reset code is on its way",
        );
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/auth/password/reset",
        summary: "Set a new password with the e-mailed code (ends every session)",
        tag,
        access: "public",
        body: resetPasswordBodySchema,
        response: resetPasswordResultSchema,
      },
      async ({ body, req, res }) => {
        await withRetryAfter(res, deps.recovery.reset(body, requestMeta(req)));
        return withMessage({ reset: true as const }, "password changed: sign in again");
      },
    );
  };
}
