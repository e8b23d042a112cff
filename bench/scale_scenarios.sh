#!/usr/bin/env bash
# Issue #7's ready scale scenarios: the listener counts operators plan for, on one onair node and on
# nginx-rtmp (../shared/peers, Debian's package) in the same session, driven by `onair-bench compare`.
#   audio-100, audio-1000, audio-10000: one 128 kbit/s AAC stream, N listeners
#   video-1000: one 2.5 Mbit/s 720p H.264 + 128 kbit/s AAC stream, 1,000 viewers
# onair serves LL-HLS (parts of 0.333 s, blocking reload; every viewer fetches every part); nginx-rtmp
# serves plain HLS (1 s fragments, 6 s playlist: the peers harness's settings). Both servers run pinned to
# $SERVER_CPU, onair-bench to $CLIENT_CPU, so the figures are "per server core" with the load generator on
# the other core. On a machine with more cores give the client several (CLIENT_CPU=2-7 THREADS=6) and the
# server a whole node (SERVER_CPU=0,1): one client core drives ~3,000 LL-HLS listeners. onair runs passthrough (--ladder none --audio-ladder none), as nginx-rtmp does.
# Each scenario runs $REPEATS times (fresh stream key each time); then `ramp` looks for the knee of both
# servers on the audio room. Results: $OUT/*.json (+ .html); `bench/summarize_scale.py $OUT` prints tables.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PEERS=${PEERS:-$ROOT/../shared/peers}
OUT=${OUT:-/tmp/onair-bench/scale-$(date +%Y%m%d-%H%M%S)}
REPEATS=${REPEATS:-3}
SCENARIOS=${SCENARIOS:-audio-100,audio-1000,audio-10000,video-1000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-8}
RAMP_MAX=${RAMP_MAX:-10000}
RAMP_STEP=${RAMP_STEP:-1000}
RAMP_STEP_SECONDS=${RAMP_STEP_SECONDS:-10}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
THREADS=${THREADS:-1}  # onair-bench io threads: with more client cores (CLIENT_CPU=2-7 THREADS=6) it drives more viewers
ONAIR_RTMP=${ONAIR_RTMP:-19450}
ONAIR_HTTP=${ONAIR_HTTP:-18450}
NGINX_RTMP=${NGINX_RTMP:-19350}
NGINX_HTTP=${NGINX_HTTP:-18080}
BENCH=$BUILD/bench/onair-bench
mkdir -p "$OUT"

[ -x "$BUILD/onair" ] && [ -x "$BENCH" ] || { echo "build onair and onair-bench into $BUILD first" >&2; exit 2; }
[ -x "$PEERS/nginx-rtmp/run-nginx.sh" ] || { echo "no nginx-rtmp harness at $PEERS" >&2; exit 2; }

# Sources, encoded once: what a load tester loops.
AUDIO=$OUT/audio128.flv
VIDEO=$OUT/video2500.flv
[ -f "$AUDIO" ] || ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -f lavfi -i "sine=frequency=660:sample_rate=48000" -filter_complex amerge=inputs=2 -t 60 \
  -c:a aac -b:a 128k -ar 48000 -ac 2 -f flv "$AUDIO"
[ -f "$VIDEO" ] || ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset ultrafast -tune zerolatency \
  -bf 0 -g 30 -keyint_min 30 -sc_threshold 0 -b:v 2500k -maxrate 2500k -bufsize 2500k -pix_fmt yuv420p \
  -c:a aac -b:a 128k -ar 48000 -f flv "$VIDEO"

DATA=$(mktemp -d /tmp/onair-scale-XXXXXX)
ONAIR_PID=""
cleanup() {
  [ -n "$ONAIR_PID" ] && kill -TERM "$ONAIR_PID" 2>/dev/null || true
  SERVER_CPUS=$SERVER_CPU RTMP_PORT=$NGINX_RTMP HTTP_PORT=$NGINX_HTTP "$PEERS/nginx-rtmp/run-nginx.sh" stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

taskset -c "$SERVER_CPU" "$BUILD/onair" node --data-dir "$DATA" --bind 127.0.0.1 --rtmp-port "$ONAIR_RTMP" \
  --http-port "$ONAIR_HTTP" --gossip-port 0 --caf-port 0 --open-publish --ladder none --audio-ladder none \
  --thumbnail-interval 0 --log-level warn --ready-file "$DATA/ready.json" > "$OUT/onair.log" 2>&1 &
ONAIR_PID=$!
for _ in $(seq 1 100); do [ -f "$DATA/ready.json" ] && break; sleep 0.1; done
[ -f "$DATA/ready.json" ] || { echo "onair did not start" >&2; cat "$OUT/onair.log" >&2; exit 1; }
NGINX_PID=$(SERVER_CPUS=$SERVER_CPU RTMP_PORT=$NGINX_RTMP HTTP_PORT=$NGINX_HTTP "$PEERS/nginx-rtmp/run-nginx.sh" start | tail -1)
echo "onair PID $ONAIR_PID, nginx-rtmp PID $NGINX_PID; results in $OUT"
uptime >> "$OUT/machine.txt"

client() { taskset -c "$CLIENT_CPU" "$@"; }

IFS=, read -ra LIST <<< "$SCENARIOS"
for scn in "${LIST[@]}"; do
  kind=${scn%%-*}; n=${scn#*-}
  file=$AUDIO; [ "$kind" = video ] && file=$VIDEO
  ramp=$(( n >= 5000 ? 10 : (n >= 1000 ? 5 : 2) ))
  for rep in $(seq 1 "$REPEATS"); do
    key="${kind}${n}r${rep}"
    echo "== $scn repeat $rep"
    client "$BENCH" compare --a-name onair --a-rtmp "rtmp://127.0.0.1:$ONAIR_RTMP/live/$key" \
      --a-hls "http://127.0.0.1:$ONAIR_HTTP/hls/$key/master.m3u8" --a-pid "$ONAIR_PID" \
      --b-name nginx-rtmp --b-rtmp "rtmp://127.0.0.1:$NGINX_RTMP/live/$key" \
      --b-hls "http://127.0.0.1:$NGINX_HTTP/hls/$key.m3u8" --b-pid "$NGINX_PID" \
      --file "$file" --viewers "$n" --duration "$DURATION" --warmup "$WARMUP" --ramp-up "$ramp" --threads "$THREADS" \
      --json "$OUT/$scn-$rep.json" --html "$OUT/$scn-$rep.html" 2> "$OUT/$scn-$rep.log" | tail -1
    uptime >> "$OUT/machine.txt"
  done
done

# The knee: listeners of the audio room added $RAMP_STEP at a time until a step stalls.
if [ "${RAMP:-1}" = 1 ]; then
  steps=$(( (RAMP_MAX + RAMP_STEP - 1) / RAMP_STEP ))
  span=$(( steps * RAMP_STEP_SECONDS + 30 ))
  for side in onair nginx-rtmp; do
    key="ramp${side%%-*}"
    if [ "$side" = onair ]; then
      rtmp="rtmp://127.0.0.1:$ONAIR_RTMP/live/$key"; hls="http://127.0.0.1:$ONAIR_HTTP/hls/$key/master.m3u8"; pid=$ONAIR_PID
    else
      rtmp="rtmp://127.0.0.1:$NGINX_RTMP/live/$key"; hls="http://127.0.0.1:$NGINX_HTTP/hls/$key.m3u8"; pid=$NGINX_PID
    fi
    echo "== ramp $side"
    client "$BENCH" publish --url "$rtmp" --file "$AUDIO" --duration "$span" --reconnect > /dev/null 2>&1 &
    pub=$!
    sleep "$WARMUP"
    client "$BENCH" ramp --url "$hls" --start "$RAMP_STEP" --step "$RAMP_STEP" --max "$RAMP_MAX" \
      --step-seconds "$RAMP_STEP_SECONDS" --threads "$THREADS" --server-pid "$pid" --json "$OUT/ramp-$side.json" \
      --html "$OUT/ramp-$side.html" 2> "$OUT/ramp-$side.log" | tail -1 || true
    kill "$pub" 2>/dev/null || true
    wait "$pub" 2>/dev/null || true
  done
fi
echo "done: $OUT"
