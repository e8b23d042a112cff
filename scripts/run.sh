#!/usr/bin/env bash
# The README's run command: install, build (the node and the web app), and start one node on the
# embedded default (RocksDB in ./data, RTMP on 1935, HTTP on 8080, the web app at /). Extra args go to
# `onair node`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/build_web.sh
exec build/onair node --data-dir ./data --rtmp-port 1935 --http-port 8080 "$@"
