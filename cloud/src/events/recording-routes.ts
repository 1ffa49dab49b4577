import {
  recordingListQuerySchema,
  recordingPageSchema,
  recordingStatsQuerySchema,
  recordingStatsSchema,
  recordingViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import { callerId, requireCameraRole } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import { requireEvent, requireRecording } from "./event-access.js";
import type { EventsDeps } from "./events-deps.js";
import { recordingPage, recordingStats } from "./recording-queries.js";
import { recordingView } from "./views.js";

const TAG = "recordings";
const idParams = z.strictObject({ id: idParam });

/** `/api/recordings…`: the recorded segments of the caller's cameras (read-only, any grant holder). */
export function recordingRoutes(deps: EventsDeps): ApiModule {
  const { db } = deps.ctx;
  return (registry, router) => {
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
  };
}
