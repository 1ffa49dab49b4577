#!/usr/bin/env bash
# `npm start`: set up what is missing (idempotent, fast when nothing changed), then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/demo.mjs
