import {
  ApiError,
  eventIngestResultSchema,
  recordingDeletedSchema,
  recordingIngestBodySchema,
  recordingListQuerySchema,
  recordingPageSchema,
  recordingStatsQuerySchema,
  recordingStatsSchema,
  recordingUpdateBodySchema,
  recordingViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import { callerId, requireCameraRole } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import { requireEvent, requireRecording } from "./event-access.js";
import type { EventsDeps } from "./events-deps.js";
import { applyPostedFact } from "./posted-fact.js";
import { recordingPage, recordingStats } from "./recording-queries.js";
import { recordingView } from "./views.js";

const TAG = "recordings";
const idParams = z.strictObject({ id: idParam });

/**
 * `/api/recordings…`: the recorded segments of the caller's cameras (any grant holder reads; the
 * owner annotates and deletes), and the device's HTTP twin of the MQTT recording facts.
 */
export function recordingRoutes(deps: EventsDeps): ApiModule {
  const { db, clock } = deps.ctx;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/recordings",
        summary:
          "A device reports a recording fact of its outbox (recording.ready or clip.deleted, as POST /api/events): applied once per id",
        tag: TAG,
        access: "device",
        body: recordingIngestBodySchema,
        response: eventIngestResultSchema,
      },
      async ({ device, body }) => applyPostedFact(deps.ingest, clock.now(), device, body),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/recordings",
        summary: "List the recordings of your cameras, newest first (filters eventId, cameraId, uploaded)",
        tag: TAG,
        access: "user",
        query: recordingListQuerySchema,
        response: recordingPageSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, query }) => {
        if (query.eventId !== undefined) await requireEvent(db, principal, query.eventId, "any");
        if (query.cameraId !== undefined) await requireCameraRole(db, principal, query.cameraId, "any");
        const { limit, cursor, ...filter } = query;
        return recordingPage(db, callerId(principal), filter, { limit, cursor });
      },
    );

    // Before `/api/recordings/:id`, which would take "stats" for an id.
    registry.add(
      router,
      {
        method: "get",
        path: "/api/recordings/stats",
        summary: "Count and bytes of your recordings, uploaded or not",
        tag: TAG,
        access: "user",
        query: recordingStatsQuerySchema,
        response: recordingStatsSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, query }) => {
        if (query.cameraId !== undefined) await requireCameraRole(db, principal, query.cameraId, "any");
        return recordingStats(db, callerId(principal), query);
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/recordings/:id",
        summary: "Read a recording of one of your cameras",
        tag: TAG,
        access: "user",
        params: idParams,
        response: recordingViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => recordingView(await requireRecording(db, principal, params.id)),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/recordings/:id",
        summary: "Annotate a recording ({note}: at most 500 characters, null removes it; owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: recordingUpdateBodySchema,
        response: recordingViewSchema,
        errors: ["E_NOT_FOUND"],
        authorize: async ({ principal, params }) => {
          await requireRecording(db, principal, params.id, "owner");
        },
      },
      async ({ params, body }) => {
        await db.updateTable("recordings").set({ note: body.note }).where("id", "=", params.id).execute();
        return recordingView(
          await db.selectFrom("recordings").selectAll().where("id", "=", params.id).executeTakeFirstOrThrow(),
        );
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/recordings/:id",
        summary:
          "Delete a recording (owner): hidden at once; removing its stored clip and telling the agent " +
          "hang off the recordingDeleted signal",
        tag: TAG,
        access: "user",
        params: idParams,
        response: recordingDeletedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const recording = await requireRecording(db, principal, params.id, "owner");
        const now = clock.now();
        // Conditional, so of two deletes racing past the check only one succeeds (the other: 404).
        const done = await db
          .updateTable("recordings")
          .set({ deleted_at: now })
          .where("id", "=", recording.id)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) throw new ApiError("E_NOT_FOUND", "no such recording");
        const byUserId = callerId(principal);
        await deps.ctx.accessLog.record({
          deviceId: recording.device_id,
          userId: byUserId,
          cameraId: recording.camera_id,
          action: "recording.delete",
          outcome: "ok",
          detail: recording.id,
        });
        deps.ingest.signals.emit("recordingDeleted", {
          deviceId: recording.device_id,
          recording: recordingView({ ...recording, deleted_at: now }),
          byUserId,
        });
        return { id: recording.id, deleted: true as const };
      },
    );
  };
}
