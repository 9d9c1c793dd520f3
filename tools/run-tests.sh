#!/usr/bin/env bash
# The README's test command (`npm test`): lint, every project's vitest suite through nx (offline,
# no daemon), a smoke-sized run of the main job, then one summary line for the whole workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
started=$(date +%s%3N)
mkdir -p test-results
npx nx run-many -t lint typecheck --outputStyle=stream
npx nx run-many -t test --outputStyle=stream
node apps/cli/bin/realm.mjs demo --smoke --out "$(mktemp -d)/realm-smoke"
node tools/test-summary.mjs "$started"
