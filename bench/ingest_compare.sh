#!/usr/bin/env bash
# Issue #2's ingest bench, side by side with nginx-rtmp in the same session (../shared/peers harness):
#   server CPU and RSS with 1, 10 and 50 copy publishers (peers/bench_ingest.py, medians of 3 runs) for
#   nginx-rtmp and onair back to back, then onair's ingest->part latency (bench/ingest_latency.py).
# Both servers are pinned to CPU 1 and every client to CPU 0. Results go to $OUT (default
# /tmp/onair-bench/ingest-DATE); summarize with bench/summarize_ingest.py $OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
OUT=${OUT:-/tmp/onair-bench/ingest-$(date +%Y%m%d-%H%M%S)}
COUNTS=${COUNTS:-1,10,50}
REPEATS=${REPEATS:-3}
ONAIR_BIN=${ONAIR_BIN:-$ROOT/build/onair}
mkdir -p "$OUT"
ONAIR_WITH_PEERS=1 "$ROOT/scripts/setup.sh"
[ -x "$ONAIR_BIN" ] || "$ROOT/scripts/build.sh"
[ -f /tmp/peer/src/source.flv ] || "$PEERS/make-source.sh"

if [ "${SKIP_NGINX:-0}" = 1 ] && [ -f "$OUT/nginx-ingest.json" ]; then
  echo "== nginx-rtmp: reusing $OUT/nginx-ingest.json from earlier in this session"
else
echo "== nginx-rtmp"
"$PEERS/nginx-rtmp/run-nginx.sh" start >/dev/null
NGINX_PID=$("$PEERS/nginx-rtmp/run-nginx.sh" pid)
trap '"$PEERS/nginx-rtmp/run-nginx.sh" stop >/dev/null 2>&1 || true' EXIT
"$PEERS/bench_ingest.py" --rtmp 'rtmp://127.0.0.1:19350/live/{key}' --hls 'http://127.0.0.1:18080/hls/{key}.m3u8' \
  --server-pid "$NGINX_PID" --counts "$COUNTS" --repeats "$REPEATS" --json "$OUT/nginx-ingest.json" \
  | tee "$OUT/nginx-ingest.txt"
"$PEERS/nginx-rtmp/run-nginx.sh" stop >/dev/null
trap - EXIT
fi

echo "== onair"
DATA=$(mktemp -d /tmp/onair-bench-data.XXXXXX)
taskset -c 1 "$ONAIR_BIN" node --data-dir "$DATA" --bind 127.0.0.1 --rtmp-port 19351 --http-port 18081 \
  --open-publish --log-level warn >"$OUT/onair-node.log" 2>&1 &
ONAIR_PID=$!
trap 'kill $ONAIR_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
sleep 1
"$PEERS/bench_ingest.py" --rtmp 'rtmp://127.0.0.1:19351/live/{key}' \
  --hls 'http://127.0.0.1:18081/hls/{key}/source/index.m3u8' \
  --server-pid "$ONAIR_PID" --counts "$COUNTS" --repeats "$REPEATS" --json "$OUT/onair-ingest.json" \
  | tee "$OUT/onair-ingest.txt"
kill -TERM $ONAIR_PID; wait $ONAIR_PID || true
trap - EXIT
rm -rf "$DATA"

echo "== onair ingest->part latency"
"$ROOT/bench/ingest_latency.py" --onair "$ONAIR_BIN" --counts 1,10 --repeats "$REPEATS" --json "$OUT/onair-latency.json" \
  | tee "$OUT/onair-latency.txt"
"$ROOT/bench/summarize_ingest.py" "$OUT" | tee "$OUT/summary.md"
