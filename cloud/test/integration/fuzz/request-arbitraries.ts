import fc from "fast-check";
import type { ApiRouteSpec } from "../../../src/api/api-route.js";
import { arbitraryFor, type JsonSchema, mutatedFor } from "./schema-arbitrary.js";

// Arbitraries of each part of a request to one route — path parameters, query string, headers and
// body — mixing values shaped by the route's OpenAPI description (deep enough to reach the
// handler) with garbage (to probe parsing, authentication and validation).

export interface Operation {
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/merge-patch+json",
  "*/*",
  "json",
];

const GARBAGE_AUTH = fc.oneof(
  fc.constantFrom(
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "bearer x.y.z",
    "Bearer hc_",
    "Bearer test.",
  ),
  fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
  fc.stringMatching(/^hc_[A-Za-z0-9_-]{43}$/).map((s) => `Bearer ${s}`),
  fc
    .tuple(
      fc.base64String({ maxLength: 40 }),
      fc.base64String({ maxLength: 40 }),
      fc.base64String({ maxLength: 40 }),
    )
    .map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
  fc.constant(`Bearer ${"a".repeat(9000)}`),
);

const GARBAGE_SEGMENTS = fc.oneof(
  fc.constantFrom(
    "%",
    "%zz",
    "%C0%AF",
    "..",
    ".",
    "%2e%2e",
    "%00",
    "a%2Fb",
    "x".repeat(300),
    "null",
    "0",
    "-1",
  ),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);

const GARBAGE_QUERY = fc.oneof(
  fc.constantFrom("a[b]=c", "a=1&a=2", "&&", "=", "%", "limit=1&limit=2", "status=", "x=%zz", "cursor=1."),
  fc
    .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")),
);

/** Every JSON value fast-check likes, plus some shapes handlers see in the wild. */
const GARBAGE_JSON = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom({}, [], null, 0, "", { __proto__: 1 }),
);

export function bodyArbitrary(op: Operation, limitBytes: number): fc.Arbitrary<Buffer | undefined> {
  const schema = op.requestBody?.content["application/json"]?.schema;
  const json = (a: fc.Arbitrary<unknown>) => a.map((v) => Buffer.from(JSON.stringify(v) ?? "null"));
  const text = (a: fc.Arbitrary<string>) => a.map((v) => Buffer.from(v));
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    { weight: schema ? 30 : 0, arbitrary: json(arbitraryFor(schema)) },
    { weight: schema ? 15 : 0, arbitrary: json(mutatedFor(schema)) },
    { weight: 10, arbitrary: json(GARBAGE_JSON) },
    { weight: 3, arbitrary: text(fc.string({ maxLength: 60 })) },
    { weight: 3, arbitrary: text(fc.constantFrom("{", '{"a":', "[1,]", "\u0000", "\uFEFF{}", "{}{}")) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
    // Now and then, a body over the limit.
    { weight: 1, arbitrary: fc.constant(Buffer.from(JSON.stringify({ a: "x".repeat(limitBytes) }))) },
  );
}

export function queryArbitrary(op: Operation): fc.Arbitrary<string> {
  const params = (op.parameters ?? []).filter((p) => p.in === "query");
  const valid = fc
    .record(Object.fromEntries(params.map((p) => [p.name, arbitraryFor(p.schema)])), { requiredKeys: [] })
    .map((q) =>
      new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString(),
    );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant("") },
    { weight: params.length > 0 ? 4 : 0, arbitrary: valid },
    { weight: 2, arbitrary: GARBAGE_QUERY },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, GARBAGE_QUERY).map(([a, b]) => [a, b].filter(Boolean).join("&")),
    },
  );
}

export function pathArbitrary(
  route: ApiRouteSpec,
  op: Operation,
  ids: () => string[],
  literals: Set<string>,
) {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const perParam = names.map((name) => {
    const schema = op.parameters?.find((p) => p.in === "path" && p.name === name)?.schema;
    const valid = schema ? arbitraryFor(schema).map((v) => encodeURIComponent(String(v))) : fc.constant("x");
    // An id that exists (own or someone else's), picked reproducibly from the pool.
    const known = fc.nat().map((n) => {
      const pool = ids();
      return pool.length > 0 ? pool[n % pool.length]! : "none";
    });
    return fc
      .oneof(
        { weight: 3, arbitrary: valid },
        { weight: 4, arbitrary: known },
        { weight: 2, arbitrary: GARBAGE_SEGMENTS },
      )
      .filter((seg) => seg !== "" && !literals.has(seg) && !literals.has(safeDecode(seg)));
  });
  return fc.tuple(...perParam).map((segs) => {
    let i = 0;
    return route.path.replace(/:([A-Za-z0-9_]+)/g, () => segs[i++]!);
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Headers of a request; `auth` is the caller's own credential (sent most of the time), if any. */
export function headersArbitrary(auth: string | undefined): fc.Arbitrary<Record<string, string>> {
  const authArb: fc.Arbitrary<string | undefined> = auth
    ? fc.oneof(
        { weight: 10, arbitrary: fc.constant(auth) },
        { weight: 1, arbitrary: GARBAGE_AUTH },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.oneof(fc.constant(undefined), GARBAGE_AUTH);
  return fc
    .record(
      {
        authorization: authArb,
        "content-type": fc.oneof(
          { weight: 12, arbitrary: fc.constant("application/json") },
          { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        accept: fc.constantFrom(undefined, "application/json", "text/html", "*/*", "image/png"),
        "x-request-id": fc.oneof(fc.constant(undefined), fc.string({ maxLength: 200 })),
        "user-agent": fc.oneof(fc.constant(undefined), fc.string({ maxLength: 400 })),
      },
      { requiredKeys: [] },
    )
    .map(
      (h) =>
        Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>,
    );
}
