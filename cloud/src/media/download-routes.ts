import { ApiError, clipPresignGetResultSchema } from "@homecam/shared";
import type { Request } from "express";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { RecordingsTable } from "../db/schema.js";
import { callerId } from "../devices/device-access.js";
import { cameraRef } from "../devices/grants.js";
import { requireRecording } from "../events/event-access.js";
import type { ApiModule } from "../http/create-app.js";
import { DOWNLOAD_URL_TTL_S, type MediaDeps } from "./media-deps.js";
import { clipDownloadName } from "./media-keys.js";

const idParams = z.strictObject({ id: idParam });

/**
 * `GET /api/clips/:id/presign-get` (clip = the cloud's recording id): a 5-minute URL for that one
 * object, for any holder of a grant on the recording's device. Strangers get the 404 of an
 * unknown id; every URL handed out is written to the device's access log.
 */
export function downloadRoutes(deps: MediaDeps): ApiModule {
  const { db, accessLog } = deps.ctx;
  // The row the authorize hook found, handed to the handler of the same request.
  const authorized = new WeakMap<Request, RecordingsTable>();
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/clips/:id/presign-get",
        summary: "A short-lived download URL for an uploaded clip of one of your cameras",
        tag: "media",
        access: "user",
        params: idParams,
        response: clipPresignGetResultSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT", "E_STORAGE_ERROR"],
        authorize: async ({ params, principal, req }) => {
          authorized.set(req, await requireRecording(db, principal, params.id));
        },
      },
      async ({ principal, req }) => {
        const recording = authorized.get(req);
        if (!recording) throw new ApiError("E_NOT_FOUND", "no such recording");
        if (recording.object_key === null || recording.uploaded_at === null) {
          throw new ApiError("E_CONFLICT", "clip not uploaded yet");
        }
        const camera = await cameraRef(db, recording.camera_id);
        // Read from where the clip was written, whatever the owner's provider is now.
        const storage = await deps.storage.forObject(recording.provider_id);
        const get = await storage.presignGet(recording.object_key, {
          expiresInS: DOWNLOAD_URL_TTL_S,
          downloadName: clipDownloadName(camera?.name ?? recording.camera_id, recording.started_at),
        });
        await accessLog.record({
          deviceId: recording.device_id,
          userId: callerId(principal),
          cameraId: recording.camera_id,
          action: "clip.download",
          outcome: "ok",
          detail: recording.id,
        });
        return get;
      },
    );
  };
}
