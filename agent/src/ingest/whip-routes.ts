import {
  ApiError,
  type CameraSource,
  MAX_SDP_LENGTH,
  ok,
  rtcOfferBodySchema,
  sessionIdSchema,
} from "@homecam/shared";
import express, { type Response, Router } from "express";
import { principalOf } from "../http/auth-gate.js";
import { corsPreflightRoutes } from "../http/cors-preflight.js";
import type { IngestHub } from "./ingest-hub.js";

// WHIP (RFC 9725) on the agent's LAN server: a browser (the /capture page), OBS or any WHIP client
// POSTs an SDP offer and gets 201 + the answer + a session URL that DELETE ends. Publishing makes
// the agent record what it is sent, so it takes an OWNER's token; a viewer's is refused (403).
// Trickle ICE (PATCH) is not offered: the answer carries every host candidate.

const WHIP_PATHS = ["/api/cameras/:id/whip", "/api/cameras/:id/whip/:session"];

/** CORS for the WHIP paths, mounted in FRONT of the auth gate (a preflight carries no token). */
export function whipCorsRoutes(): Router {
  return corsPreflightRoutes(WHIP_PATHS, ["GET", "POST", "DELETE"]);
}

function ownerOf(res: Response): string {
  const principal = principalOf(res);
  if (principal?.role !== "owner") {
    throw new ApiError("E_FORBIDDEN", "publishing a camera needs the owner's token, not a viewer's");
  }
  return principal.userId;
}

function cameraIdOf(id: unknown): string {
  const parsed = rtcOfferBodySchema.shape.cameraId.safeParse(id);
  if (!parsed.success) throw new ApiError("E_NOT_FOUND", "unknown camera");
  return parsed.data;
}

export interface WhipRoutesDeps {
  hub: Pick<IngestHub, "publish" | "unpublish">;
  /** The camera's source while it may capture; undefined otherwise. */
  cameraSource(cameraId: string): CameraSource | undefined;
}

/** GET (what to capture), POST and DELETE of WHIP sessions; mount behind the auth gate. */
export function whipRoutes(deps: WhipRoutesDeps): Router {
  const router = Router();
  const sdpBody = express.text({ type: "application/sdp", limit: MAX_SDP_LENGTH });
  const browserCamera = (id: string) => {
    const source = deps.cameraSource(id);
    if (source?.type !== "browser") {
      throw new ApiError("E_NOT_FOUND", "no browser camera with this id (or it is disabled or private)");
    }
    return source;
  };

  // The /capture page asks this before opening the camera: the size and rate to request.
  router.get("/api/cameras/:id/whip", (req, res) => {
    ownerOf(res);
    const { width, height, fps } = browserCamera(cameraIdOf(req.params["id"]));
    res.setHeader("Cache-Control", "no-store");
    res.json(ok({ width, height, fps }));
  });

  router.post("/api/cameras/:id/whip", sdpBody, async (req, res) => {
    const userId = ownerOf(res);
    const cameraId = cameraIdOf(req.params["id"]);
    browserCamera(cameraId);
    if (!req.is("application/sdp")) {
      throw new ApiError("E_UNSUPPORTED_MEDIA_TYPE", "the body must be an SDP offer (application/sdp)");
    }
    const parsed = rtcOfferBodySchema.safeParse({ cameraId, sdp: req.body });
    if (!parsed.success) throw new ApiError("E_BAD_REQUEST", "an SDP offer is required");
    const opened = await deps.hub.publish(cameraId, userId, parsed.data.sdp);
    if (opened === null) throw new ApiError("E_NOT_FOUND", "no browser camera with this id");
    res
      .status(201)
      .location(`/api/cameras/${encodeURIComponent(cameraId)}/whip/${opened.sessionId}`)
      .type("application/sdp")
      .send(opened.answer);
  });

  router.delete("/api/cameras/:id/whip/:session", (req, res) => {
    const userId = principalOf(res)?.userId ?? "";
    const session = sessionIdSchema.safeParse(req.params["session"]);
    const cameraId = cameraIdOf(req.params["id"]);
    // Someone else's session answers exactly like an unknown one: session ids are not disclosed.
    if (!session.success || !deps.hub.unpublish(cameraId, session.data, userId)) {
      throw new ApiError("E_NOT_FOUND", "no such WHIP session");
    }
    res.status(204).end();
  });
  return router;
}
