import {
  ApiError,
  adminTicketListQuerySchema,
  adminTicketPageSchema,
  adminTicketViewSchema,
  ticketCreateSchema,
  ticketListQuerySchema,
  ticketPageSchema,
  ticketUpdateSchema,
  ticketViewSchema,
} from "@homecam/shared";
import { z } from "zod";
import { idParam, withMessage } from "../api/api-route.js";
import type { Principal } from "../api/principal.js";
import type { ApiModule } from "../http/create-app.js";
import type { TicketService } from "./ticket-service.js";

export interface TicketRoutesDeps {
  tickets: TicketService;
}

const TAG = "tickets";
const idParams = z.strictObject({ id: idParam });

/** Seed 001's ticket paths: a user's own tickets, and the administrators' queue. */
export function ticketRoutes(deps: TicketRoutesDeps): ApiModule {
  const { tickets } = deps;
  return (registry, router) => {
    registry.add(
      router,
      {
        method: "post",
        path: "/api/tickets",
        summary: "Open a support ticket",
        tag: TAG,
        access: "user",
        body: ticketCreateSchema,
        response: ticketViewSchema,
        status: 201,
        errors: ["E_CONFLICT"],
      },
      async ({ principal, body }) =>
        withMessage(await tickets.create(caller(principal).userId, body), "ticket opened", 201),
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/tickets",
        summary: "List your tickets, newest first",
        tag: TAG,
        access: "user",
        query: ticketListQuerySchema,
        response: ticketPageSchema,
      },
      async ({ principal, query }) => {
        const page = await tickets.listOwn(caller(principal).userId, query);
        return { tickets: page.items, nextCursor: page.nextCursor };
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/tickets/:id",
        summary: "Read one of your tickets (another user's is 404, so ids reveal nothing)",
        tag: TAG,
        access: "user",
        params: idParams,
        response: ticketViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params }) => {
        const ticket = await tickets.getOwn(caller(principal).userId, params.id);
        if (!ticket) throw new ApiError("E_NOT_FOUND", "no such ticket");
        return ticket;
      },
    );

    registry.add(
      router,
      {
        method: "get",
        path: "/api/admin/tickets",
        summary: "List every ticket, newest first (administrators)",
        tag: "admin",
        access: "admin",
        query: adminTicketListQuerySchema,
        response: adminTicketPageSchema,
      },
      async ({ query }) => {
        const page = await tickets.listAll(query);
        return { tickets: page.items, nextCursor: page.nextCursor };
      },
    );

    registry.add(
      router,
      {
        method: "patch",
        path: "/api/admin/tickets/:id",
        summary: "Set a ticket's status and answer it (administrators)",
        tag: "admin",
        access: "admin",
        params: idParams,
        body: ticketUpdateSchema,
        response: adminTicketViewSchema,
        errors: ["E_NOT_FOUND"],
      },
      async ({ principal, params, body }) => {
        const ticket = await tickets.update(caller(principal).userId, params.id, body);
        if (!ticket) throw new ApiError("E_NOT_FOUND", "no such ticket");
        return ticket;
      },
    );
  };
}

function caller(principal: Principal | null): Principal {
  if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
  return principal;
}
