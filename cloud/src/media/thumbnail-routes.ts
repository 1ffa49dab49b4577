import { ApiError, clipPresignGetResultSchema } from "@homecam/shared";
import type { Request } from "express";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { EventsTable } from "../db/schema.js";
import { requireEvent } from "../events/event-access.js";
import type { ApiModule } from "../http/create-app.js";
import { DOWNLOAD_URL_TTL_S, type MediaDeps } from "./media-deps.js";

const idParams = z.strictObject({ id: idParam });

/**
 * `GET /api/events/:id/thumbnail`: a 5-minute URL for the event's thumbnail (the JPEG an event
 * list shows), for any holder of a grant on the event's device. Read from the store it was written
 * to, like clips; a thumbnail not uploaded yet is a 409 the viewer retries, not an error page.
 */
export function thumbnailRoutes(deps: MediaDeps): ApiModule {
  const { db } = deps.ctx;
  const authorized = new WeakMap<Request, EventsTable>();
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/events/:id/thumbnail",
        summary: "A short-lived URL for an event's thumbnail (JPEG) of one of your cameras",
        tag: "media",
        access: "user",
        params: idParams,
        response: clipPresignGetResultSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT", "E_STORAGE_ERROR"],
        authorize: async ({ params, principal, req }) => {
          authorized.set(req, (await requireEvent(db, principal, params.id, "any")).event);
        },
      },
      async ({ req }) => {
        const event = authorized.get(req);
        if (!event) throw new ApiError("E_NOT_FOUND", "no such event");
        if (event.thumbnail_key === null) throw new ApiError("E_CONFLICT", "thumbnail not uploaded yet");
        const storage = await deps.storage.forObject(event.thumbnail_provider_id);
        return storage.presignGet(event.thumbnail_key, { expiresInS: DOWNLOAD_URL_TTL_S });
      },
    );
  };
}
