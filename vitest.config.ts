import { defineConfig } from "vitest/config";

// One runner for every workspace package. The "source" export condition makes cross-package
// imports resolve to TypeScript sources, so tests never run against a stale dist/.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["{shared,hardware,agent,cloud,bench,scripts}/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
