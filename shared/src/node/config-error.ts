/** One problem in a configuration, printed as `path: message`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** A configuration that cannot be used; carries every problem found. */
export class ConfigError extends Error {
  readonly code = "HC_ERR_CONFIG_INVALID";
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }

  /** The lines a CLI prints, one `path: message` per problem. */
  lines(): string[] {
    return this.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

/** `["cameras", 0, "source", "url"]` → `cameras[0].source.url`. */
export function formatZodPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || "(root)";
}
