#!/usr/bin/env bash
# Quick ingest probe: a fresh onair node (pinned to CPU 1, --open-publish) and N copy publishers of the
# peers' source (CPU 0) for 40 s; prints the node's CPU (per mille of a core, over 20..40 s) and RSS at
# 40 s. A quick check between full bench/ingest_compare.sh runs. Usage:
#   bench/ingest_probe.sh [ONAIR_BIN] [N] [LABEL] [ENV=VALUE...]   (ENV goes to the node, e.g. MALLOC_*)
set -euo pipefail
BIN=${1:-build/onair}; N=${2:-10}; LABEL=${3:-probe}; shift $(( $# < 3 ? $# : 3 ))
SRC=${SRC:-/tmp/peer/src/source.flv}
[ -f "$SRC" ] || "$(dirname "$0")/../../shared/peers/make-source.sh"
D=$(mktemp -d /tmp/onair-probe.XXXXXX)
env "$@" taskset -c 1 "$BIN" node --data-dir "$D/d" --bind 127.0.0.1 --rtmp-port 0 --http-port 0 --open-publish \
  --ready-file "$D/r.json" --log-level warn >"$D/log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null || true; rm -rf "$D"' EXIT
for _ in $(seq 100); do [ -f "$D/r.json" ] && break; sleep 0.1; done
RTMP=$(python3 -c "import json;print(json.load(open('$D/r.json'))['rtmp_port'])")
for i in $(seq "$N"); do
  timeout 45 taskset -c 0 ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$SRC" -map 0 -c copy \
    -f flv "rtmp://127.0.0.1:$RTMP/live/probe$i" >/dev/null 2>&1 &
done
sleep 20; a=$(awk '{print $14+$15}' /proc/$NODE/stat)
sleep 20; b=$(awk '{print $14+$15}' /proc/$NODE/stat)
echo "$LABEL: streams=$N cpu=$(( (b - a) * 1000 / 20 / $(getconf CLK_TCK) ))‰ rss@40s=$(( $(awk '/VmRSS/{print $2}' /proc/$NODE/status) / 1024 )) MB"
