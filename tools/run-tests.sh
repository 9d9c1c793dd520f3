#!/usr/bin/env bash
# The README's test command (`npm test`): lint, every project's vitest suite through nx (offline,
# no daemon), a smoke-sized run of the main job, a packed-tarball install of @realm/mips into a clean
# project (and of @realm/model with its @realm/* dependencies), then one summary line for the
# whole workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
started=$(date +%s%3N)
mkdir -p test-results
npx nx run-many -t lint typecheck --outputStyle=stream
npx nx run-many -t test --outputStyle=stream
node apps/cli/bin/realm.mjs demo --smoke --out "$(mktemp -d)/realm-smoke"
# Other projects must be able to install the published packages on their own.
node tools/pack-smoke/run.mjs --package @realm/mips
node tools/pack-smoke/run.mjs --package @realm/model --extra @tensorflow/tfjs-backend-cpu@4.22.0
node tools/test-summary.mjs "$started"
