#!/usr/bin/env bash
# The test command: set up the machine, lint and type-check, run every test, then print one
# closing line `N passed, N failed` (`, N skipped` when any).
#
#   bash scripts/test.sh [vitest filters...]
#
# Steps: scripts/setup.sh --test (Debian packages, PostgreSQL, Redis, npm ci when needed, build),
# npm run check (Biome + tsc), vitest with the default reporter plus a JSON report, and
# scripts/test-summary.mjs for the closing line. A failing check does not stop the tests (one
# run shows both), but still fails the script.
#
# Exit code: vitest's when it failed; otherwise non-zero when no test ran or the check failed.
#
# Environment: HOMECAM_TEST_PG_URL and HOMECAM_TEST_REDIS_URL (defaults: what setup.sh starts),
# CI=true (as CI sets it) makes the suite count an unreachable PostgreSQL or Redis as a failure
# instead of skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test

# The URLs setup.sh set up, for the variables not already set.
if [ -f node_modules/.homecam-test.env ]; then
  while IFS='=' read -r key value; do
    case "$key" in
      HOMECAM_TEST_PG_URL | HOMECAM_TEST_REDIS_URL)
        if [ -z "${!key:-}" ]; then export "$key=$value"; fi
        ;;
    esac
  done <node_modules/.homecam-test.env
fi
export HOMECAM_TEST_PG_URL="${HOMECAM_TEST_PG_URL:-postgres://homecam:homecam@127.0.0.1:5432/homecam_test}"
export HOMECAM_TEST_REDIS_URL="${HOMECAM_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
if [ -n "${CI:-}" ]; then export CI; fi

echo "[test] npm run check"
check_rc=0
npm run check || check_rc=$?

report="$(mktemp "${TMPDIR:-/tmp}/homecam-vitest.XXXXXX")"
trap 'rm -f "$report"' EXIT
echo "[test] vitest run"
vitest_rc=0
npx --no vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || vitest_rc=$?

if [ "$check_rc" -ne 0 ]; then
  echo "[test] npm run check FAILED (exit $check_rc): see its output above"
fi
summary_rc=0
node scripts/test-summary.mjs "$report" "$vitest_rc" || summary_rc=$?

if [ "$vitest_rc" -ne 0 ]; then exit "$vitest_rc"; fi
if [ "$summary_rc" -ne 0 ]; then exit "$summary_rc"; fi
exit "$check_rc"
