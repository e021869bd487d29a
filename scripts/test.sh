#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then runs
# lint, type checks and the test layers (unit, server, reliability, browser).
# Ends with one line "Total: N passed, N failed" over every layer.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed" >&2; exit 1; }
fi

step "code-server and Chromium (cached outside the repository)"
bash scripts/setup-code-server.sh >/dev/null || { echo "code-server set-up failed (see above)" >&2; exit 1; }

failed_steps=()
step "lint";      npm run --silent lint      || failed_steps+=(lint)
step "typecheck"; npm run --silent typecheck || failed_steps+=(typecheck)

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
passed=0; failed=0
for layer in unit server reliability browser; do
  step "$layer tests"
  if [ "$layer" = browser ]; then
    npm run --silent package >/dev/null 2>"$logdir/package.err" || { cat "$logdir/package.err" >&2; failed_steps+=(package); }
  fi
  node scripts/run-tests.mjs "$layer" 2>&1 | tee "$logdir/$layer.log"
  rc=${PIPESTATUS[0]}
  p=$(grep -aoE '^ℹ pass [0-9]+' "$logdir/$layer.log" | tail -1 | awk '{print $3}')
  f=$(grep -aoE '^ℹ fail [0-9]+' "$logdir/$layer.log" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    failed_steps+=("$layer")
    [ -z "$f" ] || [ "$f" = 0 ] && failed=$((failed + 1))
  fi
done

echo
if [ ${#failed_steps[@]} -gt 0 ]; then echo "Failed steps: ${failed_steps[*]}"; fi
echo "Total: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
