import {
  ApiError,
  apiKeyCreatedSchema,
  apiKeyCreateSchema,
  apiKeyDeletedSchema,
  apiKeyDeleteSchema,
  apiKeyListSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam, withMessage } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { ApiModule } from "../http/create-app.js";
import type { ApiKeyService } from "./api-key-service.js";

export interface ApiKeyRoutesDeps {
  keys: ApiKeyService;
}

const TAG = "api-keys";

/**
 * `GET/POST/DELETE /api/api-keys` (+ `DELETE /api/api-keys/:id`). All `account` level: a key can
 * neither list, mint nor delete keys, so a leaked integration key cannot entrench itself.
 */
export function apiKeyRoutes(deps: ApiKeyRoutesDeps): ApiModule {
  const { keys } = deps;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/api-keys",
        summary: "List your API keys (never their secrets)",
        tag: TAG,
        access: "account",
        response: apiKeyListSchema,
      },
      async ({ principal }) => ({ keys: await keys.list(caller(principal).userId) }),
    );

    registry.add(
      router,
      {
        method: "post",
        path: "/api/api-keys",
        summary: "Create an API key; its secret is in this answer only",
        tag: TAG,
        access: "account",
        body: apiKeyCreateSchema,
        response: apiKeyCreatedSchema,
        status: 201,
        errors: ["E_CONFLICT"],
      },
      async ({ principal, body }) =>
        withMessage(
          await keys.create(caller(principal).userId, body),
          "store the secret now: it is not shown again",
          201,
        ),
    );

    const remove = async (principal: Principal | null, id: string) => {
      if (!(await keys.delete(caller(principal).userId, id))) {
        throw new ApiError("E_NOT_FOUND", "no such API key");
      }
      return { id, deleted: true as const };
    };

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/api-keys",
        summary: "Delete an API key by {id} (the seed's path)",
        tag: TAG,
        access: "account",
        body: apiKeyDeleteSchema,
        response: apiKeyDeletedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, body }) => remove(principal, body.id),
    );

    registry.add(
      router,
      {
        method: "delete",
        path: "/api/api-keys/:id",
        summary: "Delete an API key",
        tag: TAG,
        access: "account",
        params: z.strictObject({ id: idParam }),
        response: apiKeyDeletedSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => remove(principal, params.id),
    );
  };
}

function caller(principal: Principal | null): Principal {
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal;
}
