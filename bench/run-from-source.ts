import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// The benchmarks import the cloud and the agent from their TypeScript sources (the "source" export
// condition), never a possibly stale dist/. A bench's run.ts started without that condition runs
// itself again under `node --conditions=source --import tsx`; with it, it runs the bench's main.

type BenchMain = { main(argv: string[]): Promise<number> };

/** Run `load().main(argv)` under the "source" condition; sets `process.exitCode`. */
export async function runFromSource(runUrl: string, load: () => Promise<BenchMain>): Promise<void> {
  if (process.execArgv.some((a) => a === "--conditions=source" || a === "-C=source")) {
    process.exitCode = await (await load()).main(process.argv.slice(2));
    return;
  }
  const r = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", fileURLToPath(runUrl), ...process.argv.slice(2)],
    { cwd: fileURLToPath(new URL("../", import.meta.url)), stdio: "inherit" },
  );
  process.exitCode = r.status ?? 1;
}
