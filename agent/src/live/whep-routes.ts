import { ApiError, MAX_SDP_LENGTH, rtcOfferBodySchema, sessionIdSchema } from "@homecam/shared";
import express, { Router } from "express";
import { CaptureError } from "../capture/capture-error.js";
import { principalOf } from "../http/auth-gate.js";
import { corsPreflightRoutes } from "../http/cors-preflight.js";
import type { WhepHub } from "./whep-hub.js";

// WHEP (draft-ietf-wish-whep) on the agent's LAN server: POST an SDP offer, get 201 + the answer
// and a session URL that DELETE ends. Trickle ICE (PATCH) is not offered: the answer carries every
// host candidate, which is all a LAN viewer needs.

const WHEP_PATHS = ["/api/cameras/:id/whep", "/api/cameras/:id/whep/:session"];

/**
 * CORS for the WHEP paths, mounted in FRONT of the auth gate: a preflight carries no token, and a
 * standard player on another origin must read `Location` (DESIGN §8). Safe with `*`: the bearer
 * token is the credential and no cookie is ever sent.
 */
export function whepCorsRoutes(): Router {
  return corsPreflightRoutes(WHEP_PATHS, ["POST", "DELETE"]);
}

/** POST/DELETE of WHEP sessions; mount behind the auth gate. */
export function whepRoutes(opts: { hub: Pick<WhepHub, "open" | "close"> }): Router {
  const router = Router();
  const sdpBody = express.text({ type: "application/sdp", limit: MAX_SDP_LENGTH });

  router.post("/api/cameras/:id/whep", sdpBody, async (req, res) => {
    if (!req.is("application/sdp")) {
      throw new ApiError("E_UNSUPPORTED_MEDIA_TYPE", "the body must be an SDP offer (application/sdp)");
    }
    const parsed = rtcOfferBodySchema.safeParse({ cameraId: req.params["id"], sdp: req.body });
    if (!parsed.success) throw new ApiError("E_BAD_REQUEST", "an SDP offer is required");
    const { cameraId, sdp } = parsed.data;
    const userId = principalOf(res)?.userId ?? "";
    const opened = await opts.hub.open(cameraId, userId, sdp);
    if (opened === null) throw new ApiError("E_NOT_FOUND", "unknown camera, or it is disabled or private");
    if (opened instanceof CaptureError) throw new ApiError("E_UNSUPPORTED_MEDIA_TYPE", opened.message);
    res
      .status(201)
      .location(`/api/cameras/${encodeURIComponent(cameraId)}/whep/${opened.sessionId}`)
      .type("application/sdp")
      .send(opened.answer);
  });

  router.delete("/api/cameras/:id/whep/:session", (req, res) => {
    const parsed = rtcOfferBodySchema
      .pick({ cameraId: true })
      .extend({ sessionId: sessionIdSchema })
      .safeParse({ cameraId: req.params["id"], sessionId: req.params["session"] });
    const userId = principalOf(res)?.userId ?? "";
    // Someone else's session answers exactly like an unknown one: session ids are not disclosed.
    if (!parsed.success || !opts.hub.close(parsed.data.cameraId, parsed.data.sessionId, userId)) {
      throw new ApiError("E_NOT_FOUND", "no such WHEP session");
    }
    res.status(204).end();
  });
  return router;
}
