import { ApiError, type ErrorCode, ok } from "@homecam/shared";
import type { Request, RequestHandler, Response, Router } from "express";
import { z } from "zod";
import type {
  Authenticator,
  DeviceAuthenticator,
  DevicePrincipal,
  Principal,
  RouteAccess,
} from "./principal.js";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** Everything OpenAPI and the request pipeline need to know about one route. */
export interface ApiRouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express path, e.g. `/api/tickets/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: RouteAccess;
  body?: B;
  query?: Q;
  params?: P;
  /** Schema of `data` in the success envelope. */
  response: R;
  /** Success status (200 unless told). */
  status?: number;
  /** Error codes this route can answer with besides the generic ones (documented in OpenAPI). */
  errors?: readonly ErrorCode[];
  /** Other success statuses (e.g. 200 next to 201 on a route with two callers), for OpenAPI. */
  alsoStatus?: readonly number[];
  /**
   * A per-resource check (grant, role), run after the path parameters are parsed and before the
   * query and body are validated, so a stranger or a viewer gets its 404/403 whatever the body.
   * Throw an ApiError to refuse.
   */
  authorize?: (ctx: {
    params: z.output<P>;
    principal: Principal | null;
    device: DevicePrincipal | null;
    req: Request;
  }) => Promise<void>;
}

/** What a handler receives: validated inputs and the caller. */
export interface ApiContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The signed-in user; null on `public` and `device` routes, and for a device on `user-or-device`. */
  principal: Principal | null;
  /** The calling device on `device` and `user-or-device` routes; otherwise null. */
  device: DevicePrincipal | null;
  req: Request;
  res: Response;
}

/** A handler's result: the `data`, or `{data, message, status}` to set those too. */
export type ApiResult<R> = R | { data: R; message?: string; status?: number; __wrapped: true };

/** Wrap a result with a message or a non-default status. */
export function withMessage<R>(data: R, message: string, status?: number): ApiResult<R> {
  return { data, message, ...(status ? { status } : {}), __wrapped: true };
}

/**
 * Registers routes on an express router and remembers their specs for the OpenAPI document.
 * Order of checks per request (a stranger learns nothing from a 400): authenticate → authorize →
 * validate params, query, body → handler → `{ok: true, data}`.
 */
export class ApiRegistry {
  readonly routes: ApiRouteSpec[] = [];

  constructor(
    private readonly authenticate: Authenticator,
    private readonly authenticateDevice: DeviceAuthenticator = async () => null,
  ) {}

  add<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R extends z.ZodType>(
    router: Router,
    spec: ApiRouteSpec<B, Q, P, R>,
    handler: (ctx: ApiContext<z.output<B>, z.output<Q>, z.output<P>>) => Promise<ApiResult<z.input<R>>>,
    ...before: RequestHandler[]
  ): void {
    this.routes.push(spec as unknown as ApiRouteSpec);
    router[spec.method](spec.path, ...before, async (req, res) => {
      const { principal, device } = await this.authorize(spec.access, req);
      const params = parseInput(spec.params, req.params, "path parameters");
      if (spec.authorize) await spec.authorize({ params: params as z.output<P>, principal, device, req });
      const query = parseInput(spec.query, req.query, "query");
      const body = parseInput(spec.body, req.body, "body");
      const result = await handler({
        body: body as z.output<B>,
        query: query as z.output<Q>,
        params: params as z.output<P>,
        principal,
        device,
        req,
        res,
      });
      if (res.headersSent) return;
      const wrapped = isWrapped(result) ? result : null;
      res
        .status(wrapped?.status ?? spec.status ?? 200)
        .json(ok(wrapped ? wrapped.data : result, wrapped?.message));
    });
  }

  private async authorize(
    access: RouteAccess,
    req: Request,
  ): Promise<{ principal: Principal | null; device: DevicePrincipal | null }> {
    if (access === "public") {
      // Public routes still learn who calls when a token is sent (e.g. for rate-limit keys).
      const principal = req.headers.authorization
        ? await this.authenticate(req.headers).catch(() => null)
        : null;
      return { principal, device: null };
    }
    if (access === "device" || access === "user-or-device") {
      // A device token is recognised by its header (it carries the device's public JWK).
      const device = await this.authenticateDevice(req.headers);
      if (device) return { principal: null, device };
      if (access === "device") {
        if (!req.headers.authorization) throw new ApiError("E_UNAUTHORIZED", "device token required");
        // A user's token on a device-only route: authenticated as someone, but not a device.
        await this.authenticate(req.headers);
        throw new ApiError("E_FORBIDDEN", "devices only");
      }
    }
    const principal = await this.authenticate(req.headers);
    if (!principal) throw new ApiError("E_UNAUTHORIZED", "sign in first");
    if (access === "account" && principal.via !== "access") {
      throw new ApiError("E_FORBIDDEN", "API keys cannot manage the account");
    }
    if (access === "admin" && (principal.role !== "admin" || principal.via !== "access")) {
      throw new ApiError("E_FORBIDDEN", "administrators only");
    }
    req.principal = principal;
    return { principal, device: null };
  }
}

declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller, once a route has authorized the request. */
      principal?: Principal;
    }
  }
}

function isWrapped<R>(r: ApiResult<R>): r is { data: R; message?: string; status?: number; __wrapped: true } {
  return typeof r === "object" && r !== null && (r as { __wrapped?: unknown }).__wrapped === true;
}

function parseInput(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw new ApiError("E_VALIDATION", `invalid ${where}`, {
    issues: r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  });
}

/** A path parameter that is an id we issued (opaque, URL-safe). */
export const idParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a valid id");
