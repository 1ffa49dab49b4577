import { defineConfig } from "vitest/config";

// One runner for every workspace package. The "source" export condition makes cross-package
// imports resolve to TypeScript sources, so tests never run against a stale dist/.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["{shared,hardware,agent,cloud,bench,scripts}/test/**/*.test.ts"],
    pool: "forks",
    // Two workers on the 2-core CI machine: most tests wait on real processes, sockets and
    // timers rather than burn CPU (one worker took 715 s, two 396 s).
    maxWorkers: 2,
    globalSetup: ["cloud/test/helpers/pg-schemas-global.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
