#!/usr/bin/env bash
# The main job, from a fresh clone: installs what it needs (npm packages,
# code-server in ~/.cache/context-compactor, Debian's ripgrep/chromium when root),
# packages the extension and serves VS Code with it at http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/setup-code-server.sh >/dev/null
npm run --silent package >/dev/null
exec node --import tsx scripts/demo.ts
