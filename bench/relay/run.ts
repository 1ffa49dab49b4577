// bench/relay: the cloud's embedded MQTT broker against Debian's Mosquitto, and the command relay's
// round trip through the whole product, on loopback, in one run.
//
//   npx tsx bench/relay/run.ts [--only cpu,memory,roundtrip]
//                              [--messages 50000] [--agents 2000] [--repeat 3] [--publishers 50]
//                              [--window 4] [--warmup N] [--batch 50] [--mosquitto /usr/sbin/mosquitto]
//                              [--commands 2000] [--command-warmup 100] [--concurrency 16] [--snapshots 200]
//
// Part 1: broker CPU (utime+stime from /proc) per QoS 1 telemetry message, homecam vs Mosquitto,
// medians of --repeat runs. Part 2: broker RSS per connected idle agent. Part 3: p50/p95/p99 of
// REST command → cloud → MQTT → agent → back, sequential and concurrent. See README.md.
//
// The bench imports the cloud from its TypeScript sources: @homecam/shared must resolve with the
// "source" export condition (not a possibly stale dist/), so without it this file re-runs itself
// under `node --conditions=source --import tsx` and the benchmark proper lives in bench.ts.

import { runFromSource } from "../run-from-source.js";

await runFromSource(import.meta.url, () => import("./bench.js"));
