// bench/live: glass-to-glass latency (WebRTC and the fMP4 fallback), the agent's CPU with 1 and N
// WebRTC viewers, and werift passthrough's marginal CPU per viewer against @roamhq/wrtc re-encoding.
//
//   npx tsx bench/live/run.ts [--quick] [--samples 150] [--warmup 3] [--viewers 10] [--window 10]
//                             [--settle 3] [--width 640] [--height 360] [--fps 15] [--chromium PATH]
//
// Everything runs confined to loopback: this file re-runs itself inside `unshare -n` (a network
// namespace where only `lo` is up, as the design's testing notes want for WebRTC), under
// `node --conditions=source --import tsx` so the agent's sources are imported, never a stale dist/.
// Without the right to unshare (not root) it runs unconfined on the host's loopback and says so.
// See README.md.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const NETWORK_ENV = "HOMECAM_BENCH_LIVE_NETWORK";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

if (process.env[NETWORK_ENV]) {
  const { main } = await import("./bench.js");
  process.exitCode = await main(process.argv.slice(2));
} else {
  const node = [process.execPath, "--conditions=source", "--import", "tsx", fileURLToPath(import.meta.url)];
  const args = [...node, ...process.argv.slice(2)];
  const probe = spawnSync("unshare", ["-n", "true"], { stdio: "ignore" });
  const confined = probe.status === 0;
  const command = confined
    ? ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...args]
    : args;
  const network = confined
    ? "unshare -n (a network namespace with only loopback up)"
    : `NOT confined: \`unshare -n\` is unavailable (${probe.error?.message ?? `exit ${probe.status}`}); Chromium and the peers use the host's loopback`;
  const r = spawnSync(command[0] ?? "", command.slice(1), {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, [NETWORK_ENV]: network },
  });
  process.exitCode = r.status ?? 1;
}
