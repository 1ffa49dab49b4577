import fc from "fast-check";

// fast-check arbitraries from the OpenAPI document's (JSON) schemas, so fuzzed requests can be
// "valid-shaped" — deep enough to reach the handlers — as well as garbage.

/** A JSON schema as found in the OpenAPI document (OpenAPI 3.0 dialect: `nullable`). */
export type JsonSchema = Record<string, unknown>;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Values shaped like `schema` (mostly valid; pattern and range constraints are honoured). */
export function arbitraryFor(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const s = (schema ?? {}) as JsonSchema;
  const base = baseArbitrary(s, depth);
  return s.nullable === true ? fc.oneof(base, fc.constant(null)) : base;
}

function baseArbitrary(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ("const" in s) return fc.constant(s.const);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts) && alts.length > 0) return fc.oneof(...alts.map((a) => arbitraryFor(a, depth + 1)));
  if (depth > 6) return fc.constant(null);
  switch (s.type) {
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: bound(s.minimum, -1e9), max: bound(s.maximum, 1e12) });
    case "number":
      return fc.double({ min: bound(s.minimum, -1e9), max: bound(s.maximum, 1e12), noNaN: true });
    case "string":
      return stringArbitrary(s);
    case "array":
      return fc.array(arbitraryFor(s.items, depth + 1), {
        minLength: Number(s.minItems ?? 0),
        maxLength: Math.min(Number(s.maxItems ?? 4), 4),
      });
    case "object":
      return objectArbitrary(s, depth);
    default:
      return s.properties ? objectArbitrary(s, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

function bound(value: unknown, fallback: number): number {
  return typeof value === "number" && Math.abs(value) < MAX_SAFE ? value : fallback;
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === "date-time") {
    return fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (s.format === "email") return fc.emailAddress();
  if (s.format === "uri") return fc.webUrl();
  if (typeof s.pattern === "string") return fc.stringMatching(new RegExp(s.pattern));
  const minLength = Number(s.minLength ?? 0);
  const maxLength = Math.min(Number(s.maxLength ?? 40), minLength + 40);
  return fc.string({ minLength, maxLength });
}

function objectArbitrary(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set((s.required ?? []) as string[]);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = arbitraryFor(v, depth + 1);
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
}

/** Valid-shaped values with one property replaced by anything, or a property added. */
export function mutatedFor(schema: unknown): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      arbitraryFor(schema),
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc.boolean(),
    )
    .map(([value, key, junk, replaceExisting]) => {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return junk;
      const obj = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(obj);
      const target = replaceExisting && keys.length > 0 ? keys[key.length % keys.length]! : key;
      obj[target] = junk;
      return obj;
    });
}
