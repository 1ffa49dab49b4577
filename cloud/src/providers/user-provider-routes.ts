import { ApiError, userProviderPutBodySchema, userProviderViewSchema } from "@homecam/shared";
import type { Principal } from "../api/principal.js";
import type { ApiModule } from "../http/create-app.js";
import type { ProviderService } from "./provider-service.js";

const tag = "storage";

function userIdOf(principal: Principal | null): string {
  // The registry answers 401 before the handler on a `user` route; this is for the types.
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal.userId;
}

/** `/api/storage/provider`: the signed-in user's own bucket (bring your own storage). */
export function userProviderRoutes(service: ProviderService): ApiModule {
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/storage/provider",
        summary:
          "Where your devices' clips are stored: your own bucket, the default provider or the embedded store",
        tag,
        access: "user",
        response: userProviderViewSchema,
      },
      ({ principal }) => service.userView(userIdOf(principal)),
    );

    registry.add(
      router,
      {
        method: "put",
        path: "/api/storage/provider",
        summary:
          "Use your own S3 bucket for your devices' uploads (proven by a test upload before it is saved)",
        tag,
        access: "user",
        body: userProviderPutBodySchema,
        response: userProviderViewSchema,
        errors: ["E_STORAGE_ERROR"],
      },
      ({ principal, body }) => service.setOwn(userIdOf(principal), body),
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/storage/provider",
        summary: "Go back to the default storage; clips already in your bucket stay readable from it",
        tag,
        access: "user",
        response: userProviderViewSchema,
      },
      ({ principal }) => service.removeOwn(userIdOf(principal)),
    );
  };
}
