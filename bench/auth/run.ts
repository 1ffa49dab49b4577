// bench/auth: login and refresh throughput and p99 latency of the cloud's accounts API, with
// autocannon on loopback, on SQLite and on PostgreSQL, ~5 s per case.
//
//   npx tsx bench/auth/run.ts [--seconds 5] [--only sqlite|postgres]
//
// PostgreSQL: $HOMECAM_BENCH_PG_URL, else $HOMECAM_TEST_PG_URL, else the test database
// (postgres://homecam:homecam@127.0.0.1:5432/homecam_test); a scratch schema is dropped afterwards.
//
// The bench imports the cloud from its TypeScript sources: @homecam/shared must resolve with the
// "source" export condition (not a possibly stale dist/), so without it this file re-runs itself
// under `node --conditions=source --import tsx` and the benchmark proper lives in bench.ts.

import { runFromSource } from "../run-from-source.js";

await runFromSource(import.meta.url, () => import("./bench.js"));
