import type { z } from "zod";
import type { ConfigProblem } from "./config-error.js";

type LeafKind = "string" | "number" | "boolean" | "json";

/** A setting that can be overridden from the environment or a credential file. */
export interface ConfigLeaf {
  path: string[];
  /** `HOMECAM_HTTP_PORT` for `http.port`, `HOMECAM_STATE_DIR` for `stateDir`. */
  envName: string;
  kind: LeafKind;
  /** Turn text into a value of this kind; undefined when the text is not one. */
  coerce(text: string): unknown;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch"]);

function unwrap(schema: z.ZodType): Def {
  let def = schema._zod.def as unknown as Def;
  for (let i = 0; i < 10; i++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = def.innerType._zod.def as unknown as Def;
    else if (def.type === "pipe" && def.in) def = def.in._zod.def as unknown as Def;
    else break;
  }
  return def;
}

/** Every object-nested setting of a schema (arrays are not addressable from the environment). */
export function leafPaths(schema: z.ZodType, prefix: string[] = []): ConfigLeaf[] {
  const def = unwrap(schema);
  if (def.type === "object" && def.shape) {
    return Object.entries(def.shape).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  if (prefix.length === 0 || def.type === "array") return [];
  const kind: LeafKind =
    def.type === "number" || def.type === "int"
      ? "number"
      : def.type === "boolean"
        ? "boolean"
        : def.type === "string" || def.type === "enum" || def.type === "literal"
          ? "string"
          : "json";
  return [{ path: prefix, envName: envNameOf(prefix), kind, coerce: coercer(kind) }];
}

function envNameOf(path: string[]): string {
  return `HOMECAM_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("_")}`;
}

function coercer(kind: LeafKind): (text: string) => unknown {
  switch (kind) {
    case "number":
      return (t) => (t.trim() !== "" && Number.isFinite(Number(t)) ? Number(t) : undefined);
    case "boolean":
      return (t) => ({ true: true, false: false, "1": true, "0": false })[t.trim().toLowerCase()];
    case "string":
      return (t) => t;
    case "json":
      return (t) => {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          return undefined;
        }
      };
  }
}

/** The overrides found in `env`, with a problem recorded for each value of the wrong kind. */
export function envOverrides(
  leaves: readonly ConfigLeaf[],
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): { path: string[]; value: unknown; source: string }[] {
  const out: { path: string[]; value: unknown; source: string }[] = [];
  for (const leaf of leaves) {
    const text = env[leaf.envName];
    if (text === undefined) continue;
    const value = leaf.coerce(text);
    if (value === undefined) {
      problems.push({ path: leaf.envName, message: `expected a ${leaf.kind}, got ${JSON.stringify(text)}` });
      continue;
    }
    out.push({ path: leaf.path, value, source: `env:${leaf.envName}` });
  }
  return out;
}

/** Set `obj[path[0]][path[1]]… = value`, creating plain objects on the way. */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}
