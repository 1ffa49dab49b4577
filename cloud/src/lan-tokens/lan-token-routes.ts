import { ApiError, lanTokenSchema } from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { SigningKey } from "../auth/signing-key.js";
import { callerId, requireRole } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import { LanTokenIssuer } from "./lan-token-issuer.js";

const idParams = z.strictObject({ id: idParam });

export interface LanTokenDeps {
  ctx: RendezvousContext;
  /** The access-token signing key (its public half is the JWKS agents cache). */
  key: SigningKey;
  /** Lifetime of a token in seconds (default 12 h, at most 24 h). */
  ttlSeconds?: number;
}

/**
 * `POST /api/devices/:id/lan-token`: a token the device's LAN server accepts on its own, for
 * viewing when the internet is down. Any grant holder gets one (strangers 404 as on every device
 * route). Access tokens only: an integration's API key must not mint credentials that outlive
 * its own revocation by up to a day on a device the cloud cannot reach.
 */
export function lanTokenRoutes(deps: LanTokenDeps): ApiModule {
  const { db, clock, config } = deps.ctx;
  const issuer = new LanTokenIssuer({
    key: deps.key,
    issuer: config.auth.issuer ?? config.http.publicUrl,
    clock,
    ...(deps.ttlSeconds !== undefined && { ttlSeconds: deps.ttlSeconds }),
  });
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/devices/:id/lan-token",
        summary: "Get a token the device accepts directly on the LAN, even without internet (≤ 24 h)",
        tag: "devices",
        access: "user",
        params: idParams,
        response: lanTokenSchema,
        errors: ["E_NOT_FOUND"],
        authorize: async ({ principal, params }) => {
          // Grant first: a stranger's API key learns nothing more than a stranger's token.
          await requireRole(db, principal, params.id, "any");
          if (principal?.via !== "access") {
            throw new ApiError("E_FORBIDDEN", "LAN tokens need a signed-in session, not an API key");
          }
        },
      },
      async ({ principal, params }) => {
        const userId = callerId(principal);
        const role = await requireRole(db, principal, params.id, "any");
        const { token, expiresAt } = await issuer.issue(userId, params.id, role);
        return { token, expiresAt: new Date(expiresAt).toISOString(), deviceId: params.id };
      },
    );
  };
}
