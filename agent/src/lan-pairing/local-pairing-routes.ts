import { ApiError, localPairRequestSchema, localRefreshRequestSchema, ok } from "@homecam/shared";
import express, { type Request, Router } from "express";
import type { z } from "zod";
import { ipRateLimit } from "./ip-rate-limiter.js";
import type { LocalTokenSigner } from "./local-token-signer.js";
import type { LocalViewerStore } from "./local-viewers.js";
import type { LocalPinSessions } from "./pin-sessions.js";

export interface LocalPairingRoutesDeps {
  sessions: LocalPinSessions;
  viewers: LocalViewerStore;
  signer: LocalTokenSigner;
  deviceId: string;
  /** Requests per address per minute on these routes (default 10). */
  perMinute?: number;
  now?: () => number;
}

function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw new ApiError("E_VALIDATION", "invalid request body", parsed.error.issues);
  return parsed.data;
}

/**
 * `POST /api/local/pair` and `POST /api/local/refresh`: the only LAN routes besides /health and
 * /pair that need no token — they are how a viewer gets one without a cloud. Mounted in front of
 * the auth gate (`publicRoutes` of createLanApp). Errors go to the LAN app's error handler.
 */
export function localPairingRoutes(deps: LocalPairingRoutesDeps): Router {
  const router = Router();
  const json = express.json({ limit: "2kb" });
  const limit = ipRateLimit({
    limit: deps.perMinute ?? 10,
    windowMs: 60_000,
    ...(deps.now && { now: deps.now }),
  });

  router.post("/api/local/pair", limit, json, async (req, res) => {
    const body = parseBody(localPairRequestSchema, req);
    const claim = deps.sessions.claim(body.pin);
    if (!claim.ok) {
      if (claim.reason === "wrong") throw new ApiError("E_UNAUTHORIZED", "wrong PIN");
      throw new ApiError("E_GONE", "no open local pairing session: run `homecam pair --local` on the device");
    }
    // The first local viewer of a device nobody owns yet becomes its owner, and so does whoever
    // claims a session the console opened for an owner.
    const role = claim.owner || !(await deps.viewers.hasOwner()) ? "owner" : "viewer";
    const { viewer, refreshSecret } = await deps.viewers.create(body.name ?? "LAN viewer", role);
    const { token, expiresAt } = await deps.signer.sign(viewer);
    res
      .status(201)
      .json(ok({ token, expiresAt, deviceId: deps.deviceId, viewerId: viewer.id, role, refreshSecret }));
  });

  router.post("/api/local/refresh", limit, json, async (req, res) => {
    const body = parseBody(localRefreshRequestSchema, req);
    const viewer = await deps.viewers.checkRefresh(body.viewerId, body.refreshSecret);
    if (!viewer) throw new ApiError("E_UNAUTHORIZED", "unknown or revoked local viewer");
    const { token, expiresAt } = await deps.signer.sign(viewer);
    res.json(ok({ token, expiresAt, deviceId: deps.deviceId, viewerId: viewer.id, role: viewer.role }));
  });
  return router;
}
