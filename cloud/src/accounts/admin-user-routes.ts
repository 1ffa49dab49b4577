import {
  adminUserListQuerySchema,
  adminUserPageSchema,
  adminUserPatchSchema,
  userViewSchema,
} from "@homecam/shared";
import type { Router } from "express";
import { z } from "zod";
import { type ApiRegistry, idParam } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { AdminUsersService } from "./admin-users.js";

const tag = "admin";

/** `/api/admin/users`: seed 001's user administration, for administrators only. */
export function adminUserRoutes(admin: AdminUsersService) {
  return (registry: ApiRegistry, router: Router): void => {
    registry.add(
      router,
      {
        method: "get",
        path: "/api/admin/users",
        summary: "List users, newest first; search by e-mail",
        tag,
        access: "admin",
        query: adminUserListQuerySchema,
        response: adminUserPageSchema,
        errors: ["E_TOKEN_EXPIRED"],
      },
      async ({ query }) => admin.list(query),
    );

    registry.add(
      router,
      {
        method: "patch",
        path: "/api/admin/users/:id",
        summary: "Activate or deactivate a user, or change their role",
        tag,
        access: "admin",
        params: z.strictObject({ id: idParam }),
        body: adminUserPatchSchema,
        response: userViewSchema,
        errors: ["E_TOKEN_EXPIRED", "E_NOT_FOUND"],
      },
      async ({ principal, params, body }) => admin.patch(principal as Principal, params.id, body),
    );
  };
}
