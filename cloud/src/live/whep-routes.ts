import {
  ApiError,
  type ErrorCode,
  MAX_SDP_LENGTH,
  newMessageId,
  rtcOfferBodySchema,
  sessionIdSchema,
} from "@homecam/shared";
import express, { type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import { callerId, requireCameraRole } from "../devices/device-access.js";
import type { CameraRef } from "../devices/grants.js";
import type { ApiModule } from "../http/create-app.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import { type IceServerIssuer, iceServerLinks } from "./ice-servers.js";
import type { RtcRelay } from "./rtc-relay.js";
import type { WhepSessions } from "./whep-sessions.js";

// WHEP (draft-ietf-wish-whep) on the cloud: the viewer's offer is relayed to the device hosting
// the camera over MQTT (RtcRelay) and the device's answer comes back as the 201 body; media then
// flows peer to peer (or through TURN), never through the cloud. Trickle ICE (PATCH) is not offered.

export interface WhepRoutesDeps {
  ctx: Pick<RendezvousContext, "db" | "accessLog">;
  relay: Pick<RtcRelay, "offer" | "close">;
  sessions: WhepSessions;
  ice: IceServerIssuer;
}

/** The paths CORS covers (preflights carry no token). */
export const WHEP_PATHS = ["/api/cameras/:id/whep", "/api/cameras/:id/whep/:session"];

const TAG = "cameras";
const cameraParams = z.strictObject({ id: idParam });
const sessionParams = z.strictObject({ id: idParam, session: sessionIdSchema });
const WHEP_ERRORS: readonly ErrorCode[] = [
  "E_NOT_FOUND",
  "E_FORBIDDEN",
  "E_BAD_REQUEST",
  "E_PAYLOAD_TOO_LARGE",
  "E_UNSUPPORTED_MEDIA_TYPE",
  "E_DEVICE_OFFLINE",
  "E_TIMEOUT",
];

/**
 * CORS for the WHEP paths, in front of the routes: a standard player on another origin must be
 * able to preflight without a token and read `Location` and the ICE `Link`s. Safe with `*`: the
 * bearer token is the credential and no cookie is ever sent.
 */
export const whepCors: RequestHandler = (req, res, next) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Expose-Headers", "Location, Link");
  if (req.method !== "OPTIONS") {
    next();
    return;
  }
  res.setHeader("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
  res.setHeader("Access-Control-Max-Age", "600");
  res.status(204).end();
};

const sdpParser = express.text({ type: "application/sdp", limit: MAX_SDP_LENGTH });

/**
 * Read the SDP body: only after the caller was authorized (a stranger learns nothing, not even a
 * 413), and with its own limit since the app's JSON parser leaves `application/sdp` unread.
 */
function readSdp(req: Request, res: Response): Promise<string> {
  if (!req.is("application/sdp")) {
    throw new ApiError("E_UNSUPPORTED_MEDIA_TYPE", "the body must be an SDP offer (application/sdp)");
  }
  return new Promise((resolve, reject) => {
    sdpParser(req, res, (err?: unknown) => {
      if (err) reject(err);
      else resolve(typeof req.body === "string" ? req.body : "");
    });
  });
}

/** Grant holders, signed in with an access token: live sessions must end with the user's session. */
async function authorizeViewer(ctx: WhepRoutesDeps["ctx"], principal: Principal | null, cameraId: string) {
  // Grant first: a stranger's API key learns nothing more than a stranger's token.
  const { camera } = await requireCameraRole(ctx.db, principal, cameraId, "any");
  if (principal?.via !== "access") {
    throw new ApiError("E_FORBIDDEN", "live view needs a signed-in session, not an API key");
  }
  return camera;
}

/** `POST /api/cameras/:id/whep` and `DELETE /api/cameras/:id/whep/:session`. */
export function whepRoutes(deps: WhepRoutesDeps): ApiModule {
  const { ctx, relay, sessions, ice } = deps;
  const authorized = new WeakMap<Request, CameraRef>();
  const cameraOf = (req: Request): CameraRef => {
    const camera = authorized.get(req);
    if (!camera) throw new Error("route registered without its authorize hook");
    return camera;
  };

  async function offer(
    userId: string,
    camera: CameraRef,
    sdp: string,
  ): Promise<{ id: string; answer: string }> {
    const sessionId = newMessageId();
    const body = rtcOfferBodySchema.safeParse({
      cameraId: camera.localId,
      sdp,
      viewerId: userId,
      iceServers: ice.forDevice(camera.deviceId).iceServers,
    });
    if (!body.success || !/^v=0\r?\n/.test(sdp))
      throw new ApiError("E_BAD_REQUEST", "an SDP offer is required");
    const entry = { deviceId: camera.deviceId, userId, cameraId: camera.id, action: "live.start" };
    try {
      const answer = await relay.offer(camera.deviceId, sessionId, body.data);
      await ctx.accessLog.record({ ...entry, outcome: "ok", detail: "whep" });
      return { id: sessionId, answer };
    } catch (err) {
      await ctx.accessLog.record({ ...entry, outcome: err instanceof ApiError ? err.code : "E_INTERNAL" });
      throw err;
    }
  }

  return (registry, router) => {
    router.use(WHEP_PATHS, whepCors);

    registry.add(
      router,
      {
        method: "post",
        path: "/api/cameras/:id/whep",
        summary:
          "WHEP: send an SDP offer (application/sdp); 201 with the device's SDP answer (application/sdp), " +
          "the session URL in Location and the ICE servers in Link headers",
        tag: TAG,
        access: "user",
        params: cameraParams,
        status: 201,
        response: z.string().describe("The SDP answer, sent as `Content-Type: application/sdp`."),
        errors: WHEP_ERRORS,
        authorize: async ({ principal, params, req }) => {
          authorized.set(req, await authorizeViewer(ctx, principal, params.id));
        },
      },
      async ({ principal, req, res }) => {
        const camera = cameraOf(req);
        const userId = callerId(principal);
        const sdp = await readSdp(req, res);
        const { id, answer } = await offer(userId, camera, sdp);
        const session = { sessionId: id, deviceId: camera.deviceId, cameraId: camera.id, userId };
        for (const old of sessions.add(session)) {
          void relay.close(old.deviceId, old.sessionId, "too many live sessions for this viewer");
        }
        res.status(201);
        res.setHeader("Location", `/api/cameras/${encodeURIComponent(camera.id)}/whep/${id}`);
        const links = iceServerLinks(ice.forUser(userId).iceServers);
        if (links.length > 0) res.setHeader("Link", links);
        res.type("application/sdp").send(answer);
        return "";
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/cameras/:id/whep/:session",
        summary: "WHEP: end a live session you opened (204)",
        tag: TAG,
        access: "user",
        params: sessionParams,
        status: 204,
        response: z.null(),
        errors: ["E_NOT_FOUND", "E_FORBIDDEN"],
        authorize: async ({ principal, params, req }) => {
          authorized.set(req, await authorizeViewer(ctx, principal, params.id));
        },
      },
      async ({ principal, params, req, res }) => {
        const camera = cameraOf(req);
        // Someone else's session answers exactly like an unknown one: session ids are not disclosed.
        const session = sessions.owned(params.session, callerId(principal), camera.id);
        if (!session) throw new ApiError("E_NOT_FOUND", "no such WHEP session");
        sessions.forget(session.sessionId);
        await relay.close(session.deviceId, session.sessionId, "the viewer ended the session");
        res.status(204).end();
        return null;
      },
    );
  };
}
