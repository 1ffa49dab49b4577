#!/usr/bin/env node
// Print one closing line for a vitest run, from its JSON reporter output:
//
//   node scripts/test-summary.mjs REPORT.json [VITEST_EXIT_CODE]
//
// The last line printed is exactly `N passed, N failed` (`, N skipped` added when any), the plain
// line CI reads. Exits non-zero when the run failed or when no test ran.
//
// Fields used (checked against vitest 4's JSON reporter): numPassedTests, numFailedTests,
// numPendingTests (skipped), numTodoTests, success, and testResults[].status/message/name/
// assertionResults. A test file that throws while loading counts no failed test in
// numFailedTests (only in testResults with status "failed"), and an unhandled error leaves
// success true while vitest exits 1, so both are counted here as failures.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const [reportPath, exitArg] = process.argv.slice(2);
if (!reportPath) {
  console.error("usage: node scripts/test-summary.mjs REPORT.json [VITEST_EXIT_CODE]");
  process.exit(2);
}
const vitestExit = exitArg === undefined ? 0 : Number(exitArg);

/** @returns {Record<string, unknown> | null} */
function readReport(path) {
  try {
    const data = JSON.parse(readFileSync(path, "utf8"));
    return data && typeof data === "object" ? data : null;
  } catch (err) {
    console.error(`test-summary: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

const count = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

const report = readReport(reportPath);
const notes = [];
let passed = 0;
let failed = 0;
let skipped = 0;

if (report) {
  passed = count(report.numPassedTests);
  failed = count(report.numFailedTests);
  skipped = count(report.numPendingTests) + count(report.numTodoTests);
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  for (const file of files) {
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    if (file.status === "failed" && !tests.some((t) => t.status === "failed")) {
      failed += 1;
      const name = typeof file.name === "string" ? relative(process.cwd(), file.name) : "(unknown file)";
      const why = typeof file.message === "string" && file.message ? `: ${file.message.split("\n")[0]}` : "";
      notes.push(`test file failed outside its tests: ${name}${why}`);
    }
  }
  if (report.success === false && failed === 0 && passed > 0) {
    failed = 1;
    notes.push("vitest reported the run as failed with no failed test: counted as 1 failure");
  }
} else {
  notes.push("no usable JSON report: counted as 1 failure");
  failed = 1;
}
if (vitestExit !== 0 && failed === 0 && passed > 0) {
  failed = 1;
  notes.push(`vitest exited ${vitestExit} with no failed test (unhandled error?): counted as 1 failure`);
}

const ran = passed + failed;
if (ran === 0) notes.push(`no test ran${vitestExit !== 0 ? ` (vitest exited ${vitestExit})` : ""}`);

for (const note of notes) console.log(`test-summary: ${note}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || ran === 0 ? 1 : 0);
