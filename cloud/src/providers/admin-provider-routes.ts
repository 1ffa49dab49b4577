import {
  providerCreateBodySchema,
  providerDeletedSchema,
  providerListSchema,
  providerPatchBodySchema,
  providerViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam } from "../api/api-route.js";
import type { ApiModule } from "../http/create-app.js";
import type { ProviderService } from "./provider-service.js";

const tag = "admin";
const idParams = z.strictObject({ id: idParam });

/** `/api/admin/providers`: the deployment's storage providers, for administrators only. */
export function adminProviderRoutes(service: ProviderService): ApiModule {
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/admin/providers",
        summary: "List storage providers (credentials are never returned)",
        tag,
        access: "admin",
        response: providerListSchema,
      },
      () => service.list(),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/admin/providers",
        summary: "Add a storage provider; an s3 provider is proven by a test upload before it is saved",
        tag,
        access: "admin",
        body: providerCreateBodySchema,
        response: providerViewSchema,
        status: 201,
        errors: ["E_CONFLICT"],
      },
      ({ body }) => service.create(body),
    );

    registry.add(
      router,
      {
        method: "patch",
        path: "/api/admin/providers/:id",
        summary: "Change a storage provider (new connection settings are proven by a test upload)",
        tag,
        access: "admin",
        params: idParams,
        body: providerPatchBodySchema,
        response: providerViewSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT", "E_STORAGE_ERROR"],
      },
      ({ params, body }) => service.patch(params.id, body),
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/admin/providers/:id",
        summary:
          "Delete a storage provider nothing is stored in; one that holds objects answers E_CONFLICT (deactivate it instead)",
        tag,
        access: "admin",
        params: idParams,
        response: providerDeletedSchema,
        errors: ["E_NOT_FOUND", "E_CONFLICT"],
      },
      async ({ params }) => {
        await service.remove(params.id);
        return { id: params.id, deleted: true as const };
      },
    );
  };
}
