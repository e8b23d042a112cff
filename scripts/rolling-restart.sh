#!/usr/bin/env bash
# Restarts every node of an onair cluster in turn without taking the show off the air (docs/cluster.md,
# "Rolling restart"). For each node, one at a time: `onair drain --wait` (its rooms and chat move to the
# other nodes, its publishers have the node's --drain-timeout to end, then it stops by itself), the
# restart command, and a wait until the node answers again and is linked to every alive member, before
# the next node is touched.
#
# Usage: scripts/rolling-restart.sh --restart CMD [--token TOKEN] [--onair BIN] [--timeout S] URL...
#   URL      a node's HTTP base URL (http://host:port), in the order to restart them
#   CMD      run by sh with ONAIR_NODE_API=URL once that node has stopped, e.g.
#            'ssh "$(basename "$ONAIR_NODE_API")" sudo systemctl start onair' or 'systemctl start onair@…'
#   TOKEN    an admin API token (default: $ONAIR_TOKEN)
#   S        seconds to wait for each node to drain and to come back (default 600)
set -euo pipefail

restart="" token="${ONAIR_TOKEN:-}" timeout=600
onair="$(cd "$(dirname "$0")/.." && pwd)/build/onair"
urls=()
while [ $# -gt 0 ]; do
  case "$1" in
    --restart) restart="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --onair) onair="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "rolling-restart: unknown option $1" >&2; exit 2 ;;
    *) urls+=("$1"); shift ;;
  esac
done
[ -n "$restart" ] || { echo "rolling-restart: --restart CMD is required" >&2; exit 2; }
[ -n "$token" ] || { echo "rolling-restart: an admin token is required (--token or ONAIR_TOKEN)" >&2; exit 2; }
[ ${#urls[@]} -gt 1 ] || { echo "rolling-restart: give the URLs of at least two nodes" >&2; exit 2; }

# True when the node at $1 answers /api/cluster, is not draining, and is linked to every alive member.
back_in_cluster() {
  python3 - "$1" <<'PY'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/api/cluster", timeout=2) as r:
        view = json.load(r)
except Exception:
    sys.exit(1)
nodes = view["nodes"]
me = [n for n in nodes if n.get("self")]
alive = [n for n in nodes if n["state"] == "alive"]
ok = me and not me[0]["draining"] and len(alive) > 1 and all(n["linked"] for n in alive)
sys.exit(0 if ok else 1)
PY
}

for url in "${urls[@]}"; do
  echo "rolling-restart: draining $url"
  "$onair" drain --api "$url" --token "$token" --wait --wait-timeout "$timeout"
  echo "rolling-restart: restarting $url"
  ONAIR_NODE_API="$url" sh -c "$restart"
  deadline=$(( $(date +%s) + timeout ))
  until back_in_cluster "$url"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "rolling-restart: $url is not back in the cluster after ${timeout}s; stopping here" >&2
      exit 1
    fi
    sleep 1
  done
  echo "rolling-restart: $url is back"
done
echo "rolling-restart: all ${#urls[@]} nodes restarted"
