import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem, formatZodPath } from "./config-error.js";
import { envOverrides, leafPaths, setPath } from "./config-paths.js";
import { deepFreeze } from "./deep-freeze.js";

export type ProgramName = "agent" | "cloud";

/** Where a configuration was read from, for the start-up log line. */
export interface LoadedConfig<T> {
  config: Readonly<T>;
  /** The file read, or null when none existed at the default path and defaults were used. */
  file: string | null;
  /** Settings overridden from the environment or the credentials directory (names only, never values). */
  overrides: string[];
}

export interface LoadConfigOptions<S extends z.ZodType> {
  program: ProgramName;
  schema: S;
  /** `--config` flag value, if given. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** `--config` flag, then `$HOMECAM_CONFIG`, then `/etc/homecam/<program>.yaml`. */
export function resolveConfigPath(program: ProgramName, flag: string | undefined, env = process.env): string {
  return flag ?? env.HOMECAM_CONFIG ?? `/etc/homecam/${program}.yaml`;
}

/**
 * Load a configuration: YAML file → `HOMECAM_<SECTION>_<KEY>` environment overrides → systemd
 * credentials directory (`$CREDENTIALS_DIRECTORY/<dotted.path>`) → validate → deep-freeze.
 * Throws {@link ConfigError} listing every problem found, never just the first.
 */
export function loadConfig<S extends z.ZodType>(opts: LoadConfigOptions<S>): LoadedConfig<z.output<S>> {
  const env = opts.env ?? process.env;
  const path = resolveConfigPath(opts.program, opts.file, env);
  const explicit = opts.file !== undefined || env.HOMECAM_CONFIG !== undefined;
  const problems: ConfigProblem[] = [];
  let raw: unknown = {};
  let file: string | null = path;
  if (existsSync(path)) {
    raw = readYaml(path, problems);
  } else if (explicit) {
    throw new ConfigError(path, [{ path: "(file)", message: `not found: ${path}` }]);
  } else {
    file = null;
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ path: "(root)", message: "the file must contain a mapping of settings" });
    raw = {};
  }
  const overrides: string[] = [];
  const leaves = leafPaths(opts.schema);
  for (const o of envOverrides(leaves, env, problems)) {
    setPath(raw as Record<string, unknown>, o.path, o.value);
    overrides.push(o.source);
  }
  for (const o of credentialOverrides(leaves, env.CREDENTIALS_DIRECTORY, problems)) {
    setPath(raw as Record<string, unknown>, o.path, o.value);
    overrides.push(o.source);
  }
  const parsed = opts.schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          problems.push({ path: formatZodPath([...issue.path, key]), message: "unknown setting" });
        }
      } else {
        problems.push({ path: formatZodPath(issue.path), message: issue.message });
      }
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file ?? path, problems);
  return { config: deepFreeze(parsed.data), file, overrides };
}

function readYaml(path: string, problems: ConfigProblem[]): unknown {
  const text = readFileSync(path, "utf8");
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const err of doc.errors) {
    const pos = err.linePos?.[0];
    problems.push({
      path: pos ? `line ${pos.line}:${pos.col}` : "(yaml)",
      message: err.message.split("\n")[0] ?? "",
    });
  }
  return doc.errors.length > 0 ? {} : doc.toJS();
}

function credentialOverrides(
  leaves: ReturnType<typeof leafPaths>,
  dir: string | undefined,
  problems: ConfigProblem[],
): { path: string[]; value: unknown; source: string }[] {
  if (!dir || !existsSync(dir)) return [];
  const out: { path: string[]; value: unknown; source: string }[] = [];
  for (const name of readdirSync(dir)) {
    const leaf = leaves.find((l) => l.path.join(".") === name);
    if (!leaf) continue;
    const text = readFileSync(join(dir, name), "utf8").trim();
    // systemd's SetCredential= fallback cannot be empty, so the units ship a lone newline:
    // an empty credential means "not set", not "set to the empty string".
    if (text === "") continue;
    const value = leaf.coerce(text);
    if (value === undefined) {
      problems.push({ path: name, message: `credential file is not a valid ${leaf.kind}` });
      continue;
    }
    out.push({ path: leaf.path, value, source: `credential:${name}` });
  }
  return out;
}
