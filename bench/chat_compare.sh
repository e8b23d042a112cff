#!/usr/bin/env bash
# Issue #3's chat fan-out bench: onair's /ws/rooms/{id}/chat against a reference broadcast server on Node's
# `ws` (bench/ws_reference) and against bench/chat_floor (one send() per delivery and nothing else: the
# ceiling of any server that writes each message when it arrives), same load client (bench/chat_load),
# same session, runs interleaved so drifting machine load hits all alike.
#   For N in $COUNTS receivers and $REPEATS repeats, for each server in $SERVERS: a fresh server (pinned to
#   CPU 1; onair with a fresh data dir and room) <- chat_load (pinned to CPU 0).
# Rate: $RATE msgs/s into the room (default 5, i.e. 50,000 deliveries/s at N=10,000; see docs/benchmarks.md
# for why not 20). onair's default limits (1 msg/s with a burst of 5 per connection, 2 msgs/s per user) stay
# as they are, so chat_load spreads the rate over ceil(RATE/0.5) publisher connections (each an anonymous
# user at 0.5 msg/s). ONAIR_ARGS adds node options (e.g. "--chat-write-delay-ms 50").
# Results: $OUT/{onair,ws,floor}-N-REPEAT.json and logs; summary in $OUT/summary.md (bench/summarize_chat.py).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-/tmp/onair-bench/chat-$(date +%Y%m%d-%H%M%S)}
COUNTS=${COUNTS:-1000,5000,10000}
REPEATS=${REPEATS:-3}
RATE=${RATE:-5}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
DRAIN=${DRAIN:-10}
DATA_ROOT=${DATA_ROOT:-/tmp}  # /dev/shm takes fsync latency out of onair (a diagnostic, not the default)
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CLIENT_THREADS=${CLIENT_THREADS:-1}  # chat_load io threads: more keep the client's own receive queue out of the latency
SERVERS=${SERVERS:-onair ws floor}
ONAIR_ARGS=${ONAIR_ARGS:-}
mkdir -p "$OUT"

if [ ! -x "$BUILD/onair" ] || [ ! -x "$BUILD/bench/chat_load" ] || [ ! -x "$BUILD/bench/chat_floor" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target onair chat_load chat_floor
fi
if [ ! -d "$ROOT/bench/ws_reference/node_modules/ws" ]; then
  (cd "$ROOT/bench/ws_reference" && npm ci --no-audit --no-fund >/dev/null)
fi

SERVER_PID=""
DATA=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

# Waits (bounded) for a ready file and prints one of its fields.
ready_field() {
  local file=$1 field=$2
  for _ in $(seq 150); do
    if [ -s "$file" ]; then python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$file" "$field" && return 0; fi
    sleep 0.2
  done
  echo "no ready file $file" >&2
  return 1
}

# Stops the server we started, by PID: TERM, then KILL after 15 s.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 75); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

load() {  # load LABEL URL N REPEAT
  local label=$1 url=$2 n=$3 r=$4
  echo "== $label N=$n repeat $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  timeout 600 taskset -c "$CLIENT_CPU" "$BUILD/bench/chat_load" --url "$url" --connections "$n" --rate "$RATE" \
    --duration "$DURATION" --warmup "$WARMUP" --drain "$DRAIN" --server-pid "$SERVER_PID" --label "$label" \
    --threads "$CLIENT_THREADS" \
    --json "$OUT/$label-$n-$r.json" 2>"$OUT/$label-$n-$r.client.log" | tee "$OUT/$label-$n-$r.txt" ||
    echo "chat_load failed (see $OUT/$label-$n-$r.client.log)"
  [ -s "$OUT/$label-$n-$r.json" ] || return 0
  python3 - "$OUT/$label-$n-$r.json" "$(cut -d' ' -f1 /proc/loadavg)" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["loadavg_after"] = float(sys.argv[2])
json.dump(d, open(p, "w"), indent=2)
EOF
}

run_onair() {  # N REPEAT
  DATA=$(mktemp -d "$DATA_ROOT/onair-chat-bench.XXXXXX")
  taskset -c "$SERVER_CPU" "$BUILD/onair" node --data-dir "$DATA" --bind 127.0.0.1 --http-port 0 --rtmp-port 0 \
    --ready-file "$DATA/ready.json" --log-level warn $ONAIR_ARGS >"$OUT/onair-$1-$2.node.log" 2>&1 &
  SERVER_PID=$!
  local port room
  port=$(ready_field "$DATA/ready.json" http_port)
  room=$(curl -sf --max-time 10 -X POST "http://127.0.0.1:$port/api/rooms" \
    -H "Authorization: Bearer $(cat "$DATA/admin.token")" -H 'Content-Type: application/json' \
    -d '{"title":"bench","kind":"audio"}' | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
  load onair "ws://127.0.0.1:$port/ws/rooms/$room/chat" "$1" "$2"
  stop_server
  rm -rf "$DATA"
  DATA=""
}

# A peer server without a room API (the ws reference, the floor): LABEL N REPEAT COMMAND...; the command
# gets --port 0 --ready-file F appended and is pinned like onair.
run_peer() {
  local label=$1 n=$2 r=$3 ready port
  shift 3
  ready=$(mktemp "/tmp/chat-$label-ready.XXXXXX")
  rm -f "$ready"
  taskset -c "$SERVER_CPU" "$@" --port 0 --ready-file "$ready" >"$OUT/$label-$n-$r.node.log" 2>&1 &
  SERVER_PID=$!
  port=$(ready_field "$ready" http_port)
  load "$label" "ws://127.0.0.1:$port/ws/rooms/bench/chat" "$n" "$r"
  stop_server
  rm -f "$ready"
}

run_ws() { run_peer ws "$1" "$2" node "$ROOT/bench/ws_reference/server.js"; }     # N REPEAT
run_floor() { run_peer floor "$1" "$2" "$BUILD/bench/chat_floor"; }                # N REPEAT

{
  echo "host: $(nproc) CPUs, $(uname -r), node $(node --version), ws $(node -p "require('$ROOT/bench/ws_reference/node_modules/ws/package.json').version")"
  echo "onair: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- actors net storage media || echo '+dirty')"
  echo "servers: $SERVERS; onair args: ${ONAIR_ARGS:-none}"
  echo "rate $RATE msgs/s, duration $DURATION s, warmup $WARMUP s, drain <= $DRAIN s, repeats $REPEATS, counts $COUNTS"
  echo "server on CPU $SERVER_CPU, client on CPU $CLIENT_CPU with $CLIENT_THREADS io thread(s); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

IFS=, read -ra NS <<<"$COUNTS"
for n in "${NS[@]}"; do
  for r in $(seq "$REPEATS"); do
    for s in $SERVERS; do "run_$s" "$n" "$r"; done
  done
done
trap - EXIT
"$ROOT/bench/summarize_chat.py" "$OUT" | tee "$OUT/summary.md"
