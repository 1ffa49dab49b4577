import {
  ApiError,
  cameraListSchema,
  cameraPostBodySchema,
  cameraRegisteredSchema,
  cameraRemovedSchema,
  cameraStatsSchema,
  cameraUpdateBodySchema,
  cameraViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam, withMessage } from "../api/api-route.js";
import type { ApiModule } from "../http/create-app.js";
import { addCamera } from "./camera-add.js";
import { CameraService } from "./camera-service.js";
import { callerId, requireCameraRole } from "./device-access.js";
import type { DevicesDeps } from "./devices-deps.js";

const TAG = "cameras";
const idParams = z.strictObject({ id: idParam });

/**
 * `/api/cameras…`: what devices register, what grant holders see, what owners add, rename and
 * remove, and a camera's latest figures. Strangers get 404, viewers 403 on owner actions
 * (device-access.ts).
 */
export function cameraRoutes(deps: DevicesDeps): ApiModule {
  const { db, clock, accessLog } = deps.ctx;
  const cameras = new CameraService(db, clock);
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/cameras",
        summary: "List the cameras of every device you hold a grant on, with your role and presence",
        tag: TAG,
        access: "user",
        response: cameraListSchema,
      },
      async ({ principal }) => cameras.listForUser(callerId(principal)),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/cameras",
        summary:
          "A device registers its cameras ({cameras}, answers their cloud ids with status 200), or an " +
          "owner adds a source to a paired agent ({deviceId, camera}, relayed to the agent, 201)",
        tag: TAG,
        access: "user-or-device",
        body: cameraPostBodySchema,
        response: z.union([cameraViewSchema, cameraRegisteredSchema]),
        status: 201,
        alsoStatus: [200],
        errors: ["E_NOT_FOUND", "E_CONFLICT", "E_DEVICE_OFFLINE", "E_TIMEOUT", "E_NOT_IMPLEMENTED"],
      },
      async ({ principal, device, body }) => {
        if (device) {
          if (!("cameras" in body)) {
            throw new ApiError("E_VALIDATION", "a device registers its cameras: {cameras: [...]}");
          }
          return withMessage(
            await cameras.register(device.deviceId, body.cameras),
            "cameras registered",
            200,
          );
        }
        if (!("deviceId" in body)) {
          throw new ApiError(
            "E_VALIDATION",
            "only devices register cameras; add one with {deviceId, camera}",
          );
        }
        const view = await addCamera({ ...deps, cameras }, principal, body.deviceId, body.camera);
        return withMessage(view, "camera added", 201);
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/cameras/:id",
        summary: "Read a camera of a device you hold a grant on",
        tag: TAG,
        access: "user",
        params: idParams,
        response: cameraViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const { role } = await requireCameraRole(db, principal, params.id, "any");
        return cameras.get(params.id, role);
      },
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/cameras/:id",
        summary: "Rename or relocate a camera (owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: cameraUpdateBodySchema,
        response: cameraViewSchema,
        errors: ["E_NOT_FOUND"],
        // Before the body is validated: a stranger gets 404 and a viewer 403 whatever they send.
        authorize: async ({ principal, params }) => {
          await requireCameraRole(db, principal, params.id, "owner");
        },
      },
      async ({ principal, params, body }) => {
        const { camera } = await requireCameraRole(db, principal, params.id, "owner");
        const view = await cameras.update(camera.id, body, "owner");
        await accessLog.record({
          deviceId: camera.deviceId,
          userId: callerId(principal),
          cameraId: camera.id,
          action: "camera.update",
          outcome: "ok",
        });
        return view;
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/cameras/:id",
        summary: "Remove a camera (owner): hidden from everyone, even when the agent registers it again",
        tag: TAG,
        access: "user",
        params: idParams,
        response: cameraRemovedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const { camera } = await requireCameraRole(db, principal, params.id, "owner");
        await cameras.remove(camera.id);
        await accessLog.record({
          deviceId: camera.deviceId,
          userId: callerId(principal),
          cameraId: camera.id,
          action: "camera.remove",
          outcome: "ok",
          detail: camera.localId,
        });
        return { id: camera.id, removed: true as const };
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/cameras/:id/stats",
        summary: "A camera's frame rate and status and its device's health, from the latest telemetry",
        tag: TAG,
        access: "user",
        params: idParams,
        response: cameraStatsSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        await requireCameraRole(db, principal, params.id, "any");
        return cameras.stats(params.id);
      },
    );
  };
}
