import { requestLogPageSchema, requestLogQuerySchema } from "@homecam/shared";
import type { ApiModule } from "../http/create-app.js";
import type { RequestLogStore } from "./request-log-store.js";

export interface RequestLogRoutesDeps {
  store: RequestLogStore;
}

/** `GET /api/admin/logs`: the request log, newest first, filtered and paginated. */
export function requestLogRoutes(deps: RequestLogRoutesDeps): ApiModule {
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/admin/logs",
        summary: "Browse the request log (administrators): filter by time, status and user",
        tag: "admin",
        access: "admin",
        query: requestLogQuerySchema,
        response: requestLogPageSchema,
      },
      async ({ query }) => deps.store.query(query),
    );
  };
}
