import { readFileSync } from "node:fs";

/**
 * The agent's version from agent/package.json. Read at run time rather than imported: the file
 * sits outside `rootDir`, and both src/ (tests, tsx) and dist/ are one level below it.
 */
export function agentVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}
