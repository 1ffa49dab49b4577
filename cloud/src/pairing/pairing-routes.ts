import {
  ApiError,
  activeConnectionsSchema,
  connectionEstablishedSchema,
  pairingClaimBodySchema,
  pairingIdSchema,
  pairingInfoSchema,
  pairingSessionSchema,
} from "@homecam/shared";
import { z } from "zod";
import { requestMeta, withRetryAfter } from "../accounts/routes-common.js";
import { idParam, withMessage } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { ApiModule } from "../http/create-app.js";
import type { RendezvousContext, ViewerPush } from "../rendezvous/context.js";
import { MemoryRateLimiter, type RateLimiter } from "../security/rate-limit.js";
import { activeConnections, type WatchingFn } from "./active-connections.js";
import { DEFAULT_PAIRING_LIMITS, type PairingLimitRules, PairingLimits } from "./pairing-limits.js";
import { PairingService } from "./pairing-service.js";
import { loadOrCreatePinSecret, PinHasher } from "./pin-secret.js";

/** What the pairing module is built from; only `ctx` and `push` are required. */
export interface PairingRoutesDeps {
  ctx: RendezvousContext;
  /** Notifies the owner when someone pairs (`grant.added`). */
  push: ViewerPush;
  /** Counts pairing attempts; default in memory (use a shared one behind a load balancer). */
  limiter?: RateLimiter;
  /** Who is watching a device now (the live-session hub); default nobody. */
  watching?: WatchingFn;
  /** Overrides of the default rate-limit rules. */
  limits?: Partial<PairingLimitRules>;
  /** Draws PINs; default six CSPRNG digits. */
  generatePin?: () => string;
}

const TAG = "pairing";
const empty = z.strictObject({});
const codeParams = z.strictObject({ code: pairingIdSchema });
const deviceParams = z.strictObject({ id: idParam });

/**
 * Pairing a viewer to a device (DESIGN.md §4): QR/PIN sessions opened by the device or by the
 * owner's invitation, what a session would pair, the claim, and the caller's paired devices.
 */
export function pairingRoutes(deps: PairingRoutesDeps): ApiModule {
  const { ctx } = deps;
  const limits = new PairingLimits(deps.limiter ?? new MemoryRateLimiter(ctx.clock), {
    ...DEFAULT_PAIRING_LIMITS,
    ...deps.limits,
  });
  const service = new PairingService({
    ctx,
    push: deps.push,
    limits,
    hasher: new PinHasher(() => loadOrCreatePinSecret(ctx.config.stateDir)),
    ...(deps.generatePin ? { generatePin: deps.generatePin } : {}),
  });
  const watching: WatchingFn = deps.watching ?? (() => []);

  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/qr/generate",
        summary: "Open a pairing session for the calling device (PIN and QR URL, 10 minutes)",
        tag: TAG,
        access: "device",
        body: empty,
        response: pairingSessionSchema,
        status: 201,
        errors: ["E_RATE_LIMITED", "E_CONFLICT"],
      },
      async ({ device, res }) => {
        if (!device) throw new ApiError("E_UNAUTHORIZED", "device token required");
        const session = await withRetryAfter(res, service.generate(device.deviceId));
        return withMessage(session, "pairing session opened", 201);
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/qr/validate",
        summary: "Check a pairing PIN (with or without the QR's pairing id) without claiming",
        tag: TAG,
        access: "user",
        body: pairingClaimBodySchema,
        response: pairingInfoSchema,
        errors: ["E_NOT_FOUND", "E_GONE", "E_RATE_LIMITED"],
      },
      async ({ principal, body, req, res }) =>
        withRetryAfter(res, service.validate(caller(principal).userId, requestMeta(req).ip, body)),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/qr/:code/info",
        summary: "What a pairing session would pair; the issuing device also sees its state",
        tag: TAG,
        access: "user-or-device",
        params: codeParams,
        response: pairingInfoSchema,
        errors: ["E_NOT_FOUND", "E_GONE"],
      },
      async ({ principal, device, params }) =>
        service.info(
          device ? { deviceId: device.deviceId } : { userId: caller(principal).userId },
          params.code,
        ),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/connection/establish",
        summary: "Claim a pairing session: the first claimer owns the device, later ones view it",
        tag: TAG,
        access: "user",
        body: pairingClaimBodySchema,
        response: connectionEstablishedSchema,
        errors: ["E_NOT_FOUND", "E_GONE", "E_CONFLICT", "E_RATE_LIMITED"],
      },
      async ({ principal, body, req, res }) => {
        const paired = await withRetryAfter(
          res,
          service.establish(caller(principal).userId, requestMeta(req).ip, body),
        );
        return withMessage(paired, "device paired");
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/connection/active",
        summary: "Your paired devices with presence, cameras and who is watching",
        tag: TAG,
        access: "user",
        response: activeConnectionsSchema,
      },
      async ({ principal }) => activeConnections(ctx.db, caller(principal).userId, watching),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/devices/:id/invites",
        summary: "Invite a viewer to your device (owner only): a PIN and URL to share",
        tag: TAG,
        access: "user",
        params: deviceParams,
        body: empty,
        response: pairingSessionSchema,
        status: 201,
        errors: ["E_NOT_FOUND", "E_FORBIDDEN", "E_RATE_LIMITED"],
        // The grant is checked before the body, so a stranger learns nothing from a 400.
        authorize: async ({ principal, params }) => service.requireOwner(caller(principal).userId, params.id),
      },
      async ({ principal, params, res }) => {
        const userId = caller(principal).userId;
        const session = await withRetryAfter(res, service.invite(userId, params.id));
        return withMessage(session, "invitation opened", 201);
      },
    );
  };
}

function caller(principal: Principal | null): Principal {
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal;
}
