import { readFileSync } from "node:fs";

/**
 * The cloud's version, from cloud/package.json. Read at run time rather than imported as JSON
 * because the file sits outside `rootDir`; `../package.json` is right from both src/ and dist/.
 */
export function cloudVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}
