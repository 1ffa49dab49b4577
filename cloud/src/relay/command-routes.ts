import {
  ApiError,
  type CameraCommandType,
  type CameraSettings,
  cameraCommandBodySchema,
  cameraCommandResultSchema,
  cameraSettingsPatchSchema,
  cameraSettingsSchema,
  commandBodySchema,
  isViewerCommand,
  newMessageId,
  snapshotDataSchema,
} from "@homecam/shared";
import type { Request } from "express";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import { requireCameraRole } from "../devices/device-access.js";
import type { CameraRef } from "../devices/grants.js";
import type { ApiModule } from "../http/create-app.js";
import type { DeviceCommand, DeviceCommander, RendezvousContext } from "../rendezvous/context.js";
import { scopedRequestId } from "./request-id.js";

export interface CommandRoutesDeps {
  ctx: Pick<RendezvousContext, "db" | "accessLog">;
  commander: DeviceCommander;
}

const TAG = "cameras";
const idParams = z.strictObject({ id: idParam });
const RELAY_ERRORS = ["E_NOT_FOUND", "E_FORBIDDEN", "E_DEVICE_OFFLINE", "E_TIMEOUT"] as const;
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * Viewer → device commands on a camera, by its cloud id: `POST /api/cameras/:id/commands`,
 * `GET /api/cameras/:id/snapshot`, `GET|PUT /api/cameras/:id/settings`. Order of checks: signed
 * in → the camera is visible to the caller (else 404, whether it exists or not) → the caller's role
 * allows the command (viewers: snapshot and settings.get; else 403) → the body → relay. Every
 * relayed command is written to the device's access log.
 */
export function commandRoutes(deps: CommandRoutesDeps): ApiModule {
  const { ctx, commander } = deps;
  /** The camera each authorized request is about (set by the routes' `authorize` hook). */
  const authorized = new WeakMap<Request, CameraRef>();

  /** The camera, if the caller holds a grant that allows `type` on its device (404 / 403). */
  async function authorize(principal: Principal | null, cameraId: string, type: unknown): Promise<CameraRef> {
    const need = isViewerCommand(type) ? "any" : "owner";
    return (await requireCameraRole(ctx.db, principal, cameraId, need)).camera;
  }

  /** The registry's `authorize` hook (before the body is validated) for a route sending `type`. */
  const hook =
    (type: (req: Request) => unknown) =>
    async (a: { params: { id: string }; principal: Principal | null; req: Request }): Promise<void> => {
      authorized.set(a.req, await authorize(a.principal, a.params.id, type(a.req)));
    };
  /** The camera the hook authorized for this request. */
  const cameraOf = (req: Request): CameraRef => {
    const camera = authorized.get(req);
    if (!camera) throw new Error("route registered without its authorize hook");
    return camera;
  };

  /** Relay one command and write the access log, whatever the outcome. */
  async function relay(
    userId: string,
    camera: CameraRef,
    command: DeviceCommand,
    requestId: string,
  ): Promise<unknown> {
    const entry = {
      deviceId: camera.deviceId,
      userId,
      cameraId: camera.id,
      action: `command.${command.name}`,
    };
    try {
      const result = await commander.send(camera.deviceId, command, {
        requestId: scopedRequestId(userId, camera.deviceId, requestId),
      });
      await ctx.accessLog.record({ ...entry, outcome: "ok" });
      return result;
    } catch (err) {
      await ctx.accessLog.record({ ...entry, outcome: err instanceof ApiError ? err.code : "E_INTERNAL" });
      throw err;
    }
  }

  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/cameras/:id/commands",
        summary: "Send a command to a camera and get the device's answer (viewers: snapshot, settings.get)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: cameraCommandBodySchema,
        response: cameraCommandResultSchema,
        errors: RELAY_ERRORS,
        // The raw `type` decides viewer or owner: a viewer gets 403 whatever else the body holds.
        authorize: hook((req) => (req.body as { type?: unknown } | undefined)?.type),
      },
      async ({ principal, body, req }) => {
        const camera = cameraOf(req);
        const command = toDeviceCommand(body.type, body.args ?? {}, camera.localId);
        const requestId = body.requestId ?? newMessageId();
        const result = await relay((principal as Principal).userId, camera, command, requestId);
        return { requestId, result };
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/cameras/:id/snapshot",
        summary: "A still image from the camera, now (image/jpeg bytes, not a JSON envelope)",
        tag: TAG,
        access: "user",
        params: idParams,
        response: z.string().describe("The JPEG bytes, sent as `Content-Type: image/jpeg`."),
        errors: [...RELAY_ERRORS, "E_INTERNAL"],
        authorize: hook(() => "snapshot"),
      },
      async ({ principal, req, res }) => {
        const camera = cameraOf(req);
        const command: DeviceCommand = { name: "snapshot", args: { cameraId: camera.localId } };
        const result = await relay((principal as Principal).userId, camera, command, newMessageId());
        const bytes = jpegOf(result);
        res.status(200).set({
          "Content-Type": "image/jpeg",
          "Content-Length": String(bytes.length),
          "Cache-Control": "no-store",
        });
        res.end(bytes);
        return "";
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/cameras/:id/settings",
        summary: "The camera's current settings, read from the device",
        tag: TAG,
        access: "user",
        params: idParams,
        response: cameraSettingsSchema,
        errors: RELAY_ERRORS,
        authorize: hook(() => "settings.get"),
      },
      async ({ principal, req }) => {
        const camera = cameraOf(req);
        const command: DeviceCommand = { name: "settings.get", args: { cameraId: camera.localId } };
        // The agent's answer, passed through: it produced it from its own settings schema.
        return (await relay(
          (principal as Principal).userId,
          camera,
          command,
          newMessageId(),
        )) as CameraSettings;
      },
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/cameras/:id/settings",
        summary: "Owner: change the camera's settings (a partial patch); answers the new settings",
        tag: TAG,
        access: "user",
        params: idParams,
        // Validated on the cloud with the agent's own schema: a bad patch never reaches the device.
        body: cameraSettingsPatchSchema,
        response: cameraSettingsSchema,
        errors: RELAY_ERRORS,
        authorize: hook(() => "settings.set"),
      },
      async ({ principal, body, req }) => {
        const camera = cameraOf(req);
        const command: DeviceCommand = {
          name: "settings.set",
          args: { cameraId: camera.localId, patch: body },
        };
        return (await relay(
          (principal as Principal).userId,
          camera,
          command,
          newMessageId(),
        )) as CameraSettings;
      },
    );
  };
}

/** The MQTT command for a REST request: the camera's agent id filled in, then fully validated. */
function toDeviceCommand(
  type: CameraCommandType,
  args: Record<string, unknown>,
  localId: string,
): DeviceCommand {
  if (type === "settings.set") {
    const patch = cameraSettingsPatchSchema.safeParse(args.patch);
    if (!patch.success) throw invalid(patch.error, "args.patch");
  }
  const parsed = commandBodySchema.safeParse({ name: type, args: { ...args, cameraId: localId } });
  // Issue paths are the command's own (`args.pan`), which is where they are in the request too.
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data as DeviceCommand;
}

/** `E_VALIDATION` naming each issue's place in the request body (`args…`), as the registry does. */
function invalid(error: z.ZodError, prefix = ""): ApiError {
  const issues = error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join("."),
    message: i.message,
  }));
  return new ApiError("E_VALIDATION", "invalid command", { issues });
}

/** The JPEG of a snapshot answer; a device sending anything else is a device fault. */
function jpegOf(result: unknown): Buffer {
  const parsed = snapshotDataSchema.safeParse(result);
  const bytes = parsed.success ? Buffer.from(parsed.data.dataBase64, "base64") : null;
  if (!bytes || bytes.length < JPEG_MAGIC.length || !bytes.subarray(0, 3).equals(JPEG_MAGIC)) {
    throw new ApiError("E_INTERNAL", "the device sent an invalid snapshot");
  }
  return bytes;
}
