#!/usr/bin/env bash
# Installs every Debian 12 package onair needs to build, run and test (idempotent: skips apt when all
# packages are already installed). Used by scripts/run.sh and scripts/test.sh.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libcaf-dev libboost-dev librocksdb-dev libuv1-dev libmsgpack-cxx-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  ffmpeg python3-websockets libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium fonts-noto-color-emoji  # the browser tests (tests/web): Debian's Chromium, emoji for the reactions
)
# The web app (web/) builds with Node.js and npm. A machine may already have a newer Node.js from
# elsewhere whose package conflicts with Debian's npm: only install Debian's when there is none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
if [ "${ONAIR_WITH_PEERS:-0}" = 1 ]; then
  PACKAGES+=(nginx-light libnginx-mod-rtmp wrk curl procps)  # bench/ side-by-side runs
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
