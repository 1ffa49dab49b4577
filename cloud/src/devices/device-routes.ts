import {
  accessLogPageSchema,
  accessLogQuerySchema,
  deviceGrantListSchema,
  deviceListSchema,
  deviceRemovedSchema,
  deviceUpdateBodySchema,
  deviceViewSchema,
  grantRevokedSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam, withMessage } from "../api/api-route.js";
import type { ApiModule } from "../http/create-app.js";
import { accessLogPage } from "./access-log-page.js";
import { CameraService } from "./camera-service.js";
import { callerId, requireGrantRemoval, requireRole } from "./device-access.js";
import { DeviceService } from "./device-service.js";
import type { DevicesDeps } from "./devices-deps.js";
import { GrantService } from "./grant-service.js";

const TAG = "devices";
const idParams = z.strictObject({ id: idParam });
const grantParams = z.strictObject({ id: idParam, userId: idParam });

/**
 * `/api/devices…`: the devices (agents) a user holds a grant on, renaming and unpairing them, the
 * owner's grant list and access log, and removing a viewer (revoke or leave). Strangers get 404,
 * viewers 403 on owner actions (device-access.ts).
 */
export function deviceRoutes(deps: DevicesDeps): ApiModule {
  const { db, clock } = deps.ctx;
  const devices = new DeviceService(deps, new CameraService(db, clock));
  const grants = new GrantService(deps);
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/devices",
        summary: "List the devices you hold a grant on, with your role and their cameras",
        tag: TAG,
        access: "user",
        response: deviceListSchema,
      },
      async ({ principal }) => devices.listForUser(callerId(principal)),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/devices/:id",
        summary: "Read a device you hold a grant on, with your role and its cameras",
        tag: TAG,
        access: "user",
        params: idParams,
        response: deviceViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const role = await requireRole(db, principal, params.id, "any");
        return devices.get(params.id, role);
      },
    );

    registry.add(
      router,
      {
        method: "patch",
        path: "/api/devices/:id",
        summary: "Rename a device (owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: deviceUpdateBodySchema,
        response: deviceViewSchema,
        errors: ["E_NOT_FOUND"],
        // Before the body is validated: a stranger gets 404 and a viewer 403 whatever they send.
        authorize: async ({ principal, params }) =>
          void (await requireRole(db, principal, params.id, "owner")),
      },
      async ({ principal, params, body }) => {
        return devices.rename(callerId(principal), params.id, body.name);
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/devices/:id",
        summary:
          "Unpair a device (owner): every grant goes, open pairing sessions are cancelled, former " +
          "holders are told; the device can be paired again",
        tag: TAG,
        access: "user",
        params: idParams,
        response: deviceRemovedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        await requireRole(db, principal, params.id, "owner");
        const former = await devices.unpair(callerId(principal), params.id);
        return withMessage(
          { id: params.id, removed: true as const, revokedGrants: former.length },
          "device unpaired",
        );
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/devices/:id/grants",
        summary: "List who holds a grant on the device (owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        response: deviceGrantListSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        await requireRole(db, principal, params.id, "owner");
        return grants.list(params.id);
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/devices/:id/grants/:userId",
        summary: "Revoke a viewer (owner), or remove your own viewer grant (leave); their live sessions end",
        tag: TAG,
        access: "user",
        params: grantParams,
        response: grantRevokedSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT"],
      },
      async ({ principal, params }) => {
        await requireGrantRemoval(db, principal, params.id, params.userId);
        await grants.removeViewer(callerId(principal), params.id, params.userId);
        return { deviceId: params.id, userId: params.userId, revoked: true as const };
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/devices/:id/access-log",
        summary: "Who viewed or commanded what on the device, newest first (owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        query: accessLogQuerySchema,
        response: accessLogPageSchema,
        errors: ["E_NOT_FOUND"],
        authorize: async ({ principal, params }) =>
          void (await requireRole(db, principal, params.id, "owner")),
      },
      async ({ params, query }) => {
        return accessLogPage(db, params.id, query);
      },
    );
  };
}
