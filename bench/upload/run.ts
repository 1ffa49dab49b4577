// bench/upload: clip upload throughput on loopback and the agent's CPU per uploaded MB.
//
//   npx tsx bench/upload/run.ts [--size-mb 6] [--files 5]
//
// See README.md. Like bench/relay, the cloud and the agent are imported from their TypeScript
// sources, so without the "source" export condition this file re-runs itself under
// `node --conditions=source --import tsx`; the benchmark proper lives in bench.ts.

import { runFromSource } from "../run-from-source.js";

await runFromSource(import.meta.url, () => import("./bench.js"));
