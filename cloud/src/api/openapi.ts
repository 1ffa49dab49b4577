import { ERROR_CATALOGUE, type ErrorCode, errorEnvelopeSchema, okEnvelopeSchema } from "@homecam/shared";
import { z } from "zod";
import type { ApiRouteSpec } from "./api-route.js";

// The JSON body middleware runs before every /api route, whatever its access level or method:
// malformed JSON, an oversized body and a non-JSON Content-Type are possible answers of each.
const BODY_ERRORS: readonly ErrorCode[] = [
  "E_BAD_REQUEST",
  "E_PAYLOAD_TOO_LARGE",
  "E_UNSUPPORTED_MEDIA_TYPE",
];

const GENERIC_ERRORS: Partial<Record<string, readonly ErrorCode[]>> = {
  public: ["E_VALIDATION", "E_RATE_LIMITED"],
  user: ["E_UNAUTHORIZED", "E_VALIDATION"],
  account: ["E_UNAUTHORIZED", "E_FORBIDDEN", "E_VALIDATION"],
  admin: ["E_UNAUTHORIZED", "E_FORBIDDEN", "E_VALIDATION"],
  device: ["E_UNAUTHORIZED", "E_FORBIDDEN", "E_VALIDATION"],
  "user-or-device": ["E_UNAUTHORIZED", "E_FORBIDDEN", "E_VALIDATION"],
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "openapi-3.0" }) as Record<
    string,
    unknown
  >;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query"): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input");
  const props = (js.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: s,
    ...(s.description ? { description: s.description } : {}),
  }));
}

/**
 * The OpenAPI 3.0 document of every registered route, generated from the same zod schemas that
 * validate requests, so documentation and behaviour cannot drift apart.
 */
export function buildOpenApi(routes: readonly ApiRouteSpec[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = jsonSchema(errorEnvelopeSchema, "output");
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const errors = new Set<ErrorCode>([
      ...(GENERIC_ERRORS[r.access] ?? []),
      ...BODY_ERRORS,
      ...(r.errors ?? []),
      "E_INTERNAL",
    ]);
    const success = {
      description: "Success",
      content: { "application/json": { schema: jsonSchema(okEnvelopeSchema(r.response), "output") } },
    };
    const responses: Record<string, unknown> = { [String(r.status ?? 200)]: success };
    for (const status of r.alsoStatus ?? []) responses[String(status)] = success;
    for (const code of errors) {
      const status = String(ERROR_CATALOGUE[code].status);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { "application/json": { schema: errorSchema } },
      };
    }
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.access === "public" ? { security: [] } : {}),
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(r.body, "input") } },
            },
          }
        : {}),
      responses,
      "x-access": r.access,
    };
  }
  return {
    openapi: "3.0.3",
    info: { title: "homecam cloud API", version: info.version },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths,
  };
}
