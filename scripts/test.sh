#!/usr/bin/env bash
# The README's test command: install, build, and run the whole test suite (unit, fuzz replay,
# layering, integration with real onair processes, ffmpeg and ffprobe, and the web app in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/build_web.sh
cd build
ctest --output-on-failure -j2 --timeout 600
