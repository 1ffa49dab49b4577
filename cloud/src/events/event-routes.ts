import {
  eventDeletedSchema,
  eventIngestBodySchema,
  eventIngestResultSchema,
  eventListQuerySchema,
  eventPageSchema,
  eventPinBodySchema,
  eventStatsQuerySchema,
  eventStatsSchema,
  eventUpdateBodySchema,
  eventViewSchema,
  recordingListSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import { callerId, requireCameraRole } from "../devices/device-access.js";
import type { ApiModule } from "../http/create-app.js";
import { requireEvent } from "./event-access.js";
import { eventPage, eventStats } from "./event-queries.js";
import type { EventsDeps } from "./events-deps.js";
import { applyPostedFact } from "./posted-fact.js";
import { eventRecordings } from "./recording-queries.js";
import { eventView } from "./views.js";

const TAG = "events";
const idParams = z.strictObject({ id: idParam });

/**
 * `/api/events…`: the device's HTTP twin of the MQTT sync, and what grant holders read (viewers
 * see the cameras of devices they hold a grant on; pin and delete are the owner's).
 */
export function eventRoutes(deps: EventsDeps): ApiModule {
  const { db, clock, accessLog } = deps.ctx;
  const { ingest } = deps;
  const cameraCheck = async (principal: Principal | null, cameraId: string | undefined) => {
    if (cameraId !== undefined) await requireCameraRole(db, principal, cameraId, "any");
  };
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/events",
        summary:
          "A device reports one fact of its outbox ({id, type, body}, the MQTT evt frame): applied once per id",
        tag: TAG,
        access: "device",
        body: eventIngestBodySchema,
        response: eventIngestResultSchema,
      },
      async ({ device, body }) => applyPostedFact(ingest, clock.now(), device, body),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/events",
        summary: "List the events of your cameras, newest first (filters; cursor pagination)",
        tag: TAG,
        access: "user",
        query: eventListQuerySchema,
        response: eventPageSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, query }) => {
        await cameraCheck(principal, query.cameraId);
        const { limit, cursor, ...filter } = query;
        return eventPage(db, callerId(principal), filter, { limit, cursor });
      },
    );

    // Before `/api/events/:id`, which would take "stats" for an id.
    registry.add(
      router,
      {
        method: "get",
        path: "/api/events/stats",
        summary: "Event counts per UTC day, per camera and per type, for your cameras",
        tag: TAG,
        access: "user",
        query: eventStatsQuerySchema,
        response: eventStatsSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, query }) => {
        await cameraCheck(principal, query.cameraId);
        return eventStats(db, callerId(principal), query);
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/events/:id",
        summary: "Read an event of one of your cameras",
        tag: TAG,
        access: "user",
        params: idParams,
        response: eventViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => eventView((await requireEvent(db, principal, params.id, "any")).event),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/events/:id",
        summary: "Acknowledge an event ({acknowledged: true}; any grant holder)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: eventUpdateBodySchema,
        response: eventViewSchema,
        errors: ["E_NOT_FOUND"],
        authorize: async ({ principal, params }) => {
          await requireEvent(db, principal, params.id, "any");
        },
      },
      async ({ params }) => {
        await db
          .updateTable("events")
          .set({ acknowledged: 1, updated_at: clock.now() })
          .where("id", "=", params.id)
          .execute();
        return eventView(
          await db.selectFrom("events").selectAll().where("id", "=", params.id).executeTakeFirstOrThrow(),
        );
      },
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/events/:id/pin",
        summary: "Pin or unpin an event ({pinned}; owner)",
        tag: TAG,
        access: "user",
        params: idParams,
        body: eventPinBodySchema,
        response: eventViewSchema,
        errors: ["E_NOT_FOUND"],
        authorize: async ({ principal, params }) => {
          await requireEvent(db, principal, params.id, "owner");
        },
      },
      async ({ params, body }) => {
        await db
          .updateTable("events")
          .set({ is_pinned: body.pinned ? 1 : 0, updated_at: clock.now() })
          .where("id", "=", params.id)
          .execute();
        return eventView(
          await db.selectFrom("events").selectAll().where("id", "=", params.id).executeTakeFirstOrThrow(),
        );
      },
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/events/:id",
        summary:
          "Delete an event (owner): hidden with its recordings at once; removing stored objects and " +
          "telling the agent hang off the eventDeleted signal",
        tag: TAG,
        access: "user",
        params: idParams,
        response: eventDeletedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const { event } = await requireEvent(db, principal, params.id, "owner");
        const now = clock.now();
        await db
          .updateTable("events")
          .set({ deleted_at: now, updated_at: now })
          .where("id", "=", event.id)
          .execute();
        const byUserId = callerId(principal);
        await accessLog.record({
          deviceId: event.device_id,
          userId: byUserId,
          cameraId: event.camera_id,
          action: "event.delete",
          outcome: "ok",
          detail: event.id,
        });
        ingest.signals.emit("eventDeleted", {
          deviceId: event.device_id,
          event: eventView({ ...event, deleted_at: now, updated_at: now }),
          byUserId,
        });
        return { id: event.id, deleted: true as const };
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/events/:id/recordings",
        summary: "The recorded segments of an event, in order",
        tag: TAG,
        access: "user",
        params: idParams,
        response: recordingListSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        await requireEvent(db, principal, params.id, "any");
        return eventRecordings(db, params.id);
      },
    );
  };
}
