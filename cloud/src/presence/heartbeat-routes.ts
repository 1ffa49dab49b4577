import { ApiError, deviceTelemetryBodySchema, heartbeatAnswerSchema } from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { DevicePrincipal } from "../api/principal.js";
import { cameraRef } from "../devices/grants.js";
import type { ApiModule } from "../http/create-app.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import type { Presence } from "./presence.js";

export interface HeartbeatRoutesDeps {
  ctx: Pick<RendezvousContext, "db">;
  presence: Pick<Presence, "heartbeat">;
}

const idParams = z.strictObject({ id: idParam });

/** `POST /api/cameras/:id/heartbeat`: the agent's telemetry over HTTP while MQTT is down. */
export function heartbeatRoutes(deps: HeartbeatRoutesDeps): ApiModule {
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/cameras/:id/heartbeat",
        summary:
          "Device: report telemetry over HTTP (the fallback while MQTT is down); marks the device online",
        tag: "cameras",
        access: "device",
        params: idParams,
        body: deviceTelemetryBodySchema,
        response: heartbeatAnswerSchema,
        errors: ["E_NOT_FOUND"],
        // Before the body is validated: another device learns nothing about this camera.
        authorize: async ({ device, params }) => {
          const camera = await cameraRef(deps.ctx.db, params.id);
          // Another device's camera is as unknown as a camera that does not exist.
          if (!device || camera?.deviceId !== device.deviceId) {
            throw new ApiError("E_NOT_FOUND", "no such camera");
          }
        },
      },
      async ({ device, body }) => {
        // Authorized above: the calling device owns the camera.
        const deviceId = (device as DevicePrincipal).deviceId;
        const at = await deps.presence.heartbeat(deviceId, body);
        return { receivedAt: new Date(at).toISOString() };
      },
    );
  };
}
