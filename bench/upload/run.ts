// bench/upload: clip upload throughput on loopback and the agent's CPU per uploaded MB.
//
//   npx tsx bench/upload/run.ts [--size-mb 6] [--files 5]
//
// See README.md. Like bench/relay, the cloud and the agent are imported from their TypeScript
// sources, so without the "source" export condition this file re-runs itself under
// `node --conditions=source --import tsx`; the benchmark proper lives in bench.ts.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

if (process.execArgv.some((a) => a === "--conditions=source" || a === "-C=source")) {
  const { main } = await import("./bench.js");
  process.exitCode = await main(process.argv.slice(2));
} else {
  const self = fileURLToPath(import.meta.url);
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const r = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", self, ...process.argv.slice(2)],
    { cwd: root, stdio: "inherit" },
  );
  process.exitCode = r.status ?? 1;
}
