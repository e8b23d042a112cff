#!/usr/bin/env bash
# Installs the web app's npm packages (npm ci, only when package-lock.json changed) and builds
# web/dist (type check + esbuild). Used by scripts/run.sh and scripts/test.sh (docs/web.md).
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.onair-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "build_web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
npm run --silent build
