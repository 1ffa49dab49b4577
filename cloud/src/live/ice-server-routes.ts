import { ApiError, iceServersResponseSchema } from "@homecam/shared";
import { callerId } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import type { IceServerIssuer } from "./ice-servers.js";

/**
 * `GET /api/rtc/ice-servers`: the STUN/TURN servers a viewer's RTCPeerConnection should use, with
 * TURN credentials minted for the caller. Signed-in sessions only, like WHEP itself: an API key
 * cannot open live view, so it has no use for relay bandwidth.
 */
export function iceServerRoutes(deps: { ice: IceServerIssuer }): ApiModule {
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/rtc/ice-servers",
        summary: "ICE servers for live view (TURN credentials minted for you, valid until expiresAt)",
        tag: "cameras",
        access: "user",
        response: iceServersResponseSchema,
        errors: ["E_FORBIDDEN"],
        authorize: async ({ principal }) => {
          if (principal?.via !== "access") {
            throw new ApiError("E_FORBIDDEN", "ICE servers need a signed-in session, not an API key");
          }
        },
      },
      async ({ principal }) => deps.ice.forUser(callerId(principal)),
    );
  };
}
