import {
  ApiError,
  mediaCompleteBodySchema,
  mediaCompleteResultSchema,
  mediaPresignBodySchema,
  mediaPresignResultSchema,
} from "@homecam/shared";
import type { DevicePrincipal } from "../api/principal.js";
import type { EventMessage } from "../events/ingest-store.js";
import type { ApiModule } from "../http/create-app.js";
import { assertKeyOfDevice } from "../storage/object-key.js";
import type { MediaDeps } from "./media-deps.js";
import { mediaObjectKey, uploadFrameId } from "./media-keys.js";
import { requireDeviceRecording, storedObjectKey } from "./media-queries.js";
import { forgetUpload, pendingUpload, recordProvider, storedProvider } from "./media-uploads.js";
import { completeMultipartOnce, presignUpload, uploadStore } from "./upload-plan.js";

const TAG = "media";

function deviceIdOf(device: DevicePrincipal | null): string {
  // The registry answers 401/403 before the handler on a `device` route; this is for the types.
  if (!device) throw new ApiError("E_UNAUTHORIZED", "device token required");
  return device.deviceId;
}

/**
 * `POST /api/media/presign` and `POST /api/media/complete`: the agent's upload of a clip or
 * thumbnail (one PUT, or parts for a large object on S3) to a key and a store the cloud chose,
 * then its confirmation, which applies the same `upload.done` fact as the MQTT path (one
 * idempotent effect whichever arrives).
 */
export function uploadRoutes(deps: MediaDeps): ApiModule {
  const { db, clock, log } = deps.ctx;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/media/presign",
        summary:
          "Presign the upload of a recording's clip or thumbnail (devices): one PUT, or parts above the multipart threshold",
        tag: TAG,
        access: "device",
        body: mediaPresignBodySchema,
        response: mediaPresignResultSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT", "E_PAYLOAD_TOO_LARGE", "E_STORAGE_ERROR"],
      },
      async ({ device, body }) => {
        const deviceId = deviceIdOf(device);
        const { recording, keyParts } = await requireDeviceRecording(db, deviceId, body.recordingId);
        const objectKey = mediaObjectKey(keyParts, body.kind);
        const store = await uploadStore(deps, deviceId, recording, body.kind, objectKey);
        return presignUpload(deps, store, recording, body, objectKey);
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/media/complete",
        summary: "Confirm an upload: the object must exist with the announced size (devices)",
        tag: TAG,
        access: "device",
        body: mediaCompleteBodySchema,
        response: mediaCompleteResultSchema,
        errors: ["E_NOT_FOUND", "E_FORBIDDEN", "E_CONFLICT", "E_STORAGE_ERROR"],
      },
      async ({ device, body }) => {
        const deviceId = deviceIdOf(device);
        const objectKey = assertKeyOfDevice(body.objectKey, deviceId);
        const { recording, keyParts } = await requireDeviceRecording(db, deviceId, body.recordingId);
        if (objectKey !== mediaObjectKey(keyParts, body.kind)) {
          throw new ApiError("E_FORBIDDEN", "object key was not issued for this recording");
        }
        const pending = await pendingUpload(db, recording.id, body.kind);
        const stored = pending ? undefined : await storedProvider(db, recording, body.kind, objectKey);
        if (!pending && !stored) throw new ApiError("E_CONFLICT", "object not uploaded yet");
        const providerId = pending ? pending.provider_id : (stored?.providerId ?? null);
        const driver = await deps.storage.forObject(providerId);
        if (pending?.upload_id) {
          await completeMultipartOnce(driver, pending.upload_id, body, objectKey);
        } else if (pending && body.uploadId !== undefined) {
          throw new ApiError("E_CONFLICT", "no multipart upload was presigned for this object");
        }
        const info = await driver.head(objectKey);
        if (!info) throw new ApiError("E_CONFLICT", "object not uploaded yet");
        if (info.sizeBytes !== body.sizeBytes) {
          throw new ApiError("E_CONFLICT", "stored object size differs from sizeBytes");
        }
        await recordProvider(db, recording, body.kind, providerId);
        const message: EventMessage = {
          v: 1,
          id: uploadFrameId(deviceId, recording.agent_recording_id, body.kind),
          ts: clock.now(),
          type: "upload.done",
          body: {
            recordingId: recording.agent_recording_id,
            objectKey,
            sizeBytes: body.sizeBytes,
            kind: body.kind,
          },
        };
        const applied = await deps.ingest.apply(deviceId, message);
        // false is a repeat (the frame id is per recording and kind); for a clip, make sure the
        // index really holds this key rather than trusting that the first attempt stored it.
        if (!applied && body.kind === "clip" && (await storedObjectKey(db, recording.id)) !== objectKey) {
          log.warn({ deviceId, recordingId: recording.id }, "upload confirmed but not indexed");
          throw new ApiError("E_CONFLICT", "upload could not be recorded");
        }
        // A thumbnail whose event is not known yet is not in the index: its row keeps telling a
        // repeated complete where the object is.
        if (pending && (body.kind === "clip" || recording.event_id !== null)) {
          await forgetUpload(db, recording.id, body.kind);
        }
        return { uploaded: true as const, objectKey };
      },
    );
  };
}
