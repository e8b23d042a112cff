#!/usr/bin/env bash
# Issue #5 item 8: CPU of onair's in-process ladder (media::video_transcoder, driven by bench/transcode_bench)
# against the ffmpeg CLI producing the same ladder from the same FLV file, in the same session.
#   - one source file: testsrc2 with light temporal noise, H.264 High (x264 veryfast, 2 s GOP, 2 B-frames)
#     + AAC, $SIZE at 30 fps, $MEDIA_SECONDS long (made once per $OUT);
#   - both sides: decode once (1 thread), bicubic scale to every default rung below the source
#     (1080p -> 720p + 480p + 360p, the default ladder), libx264 veryfast / zerolatency / no B-frames, VBV maxrate = bitrate,
#     bufsize 2x, keyint=infinite:scenecut=0 with IDRs forced where the source has them, $THREADS
#     encoder threads, full speed (not real time); ffmpeg writes to the null muxer;
#   - CPU = utime + stime of the process (os.wait4 rusage), $REPEATS runs each, interleaved;
#   - then $REALTIME_N copies of ours paced at real time in parallel (max lag behind the source clock).
# Results: $OUT/runs.tsv and $OUT/summary.md.
#   BENCH_BIN=build/bench/transcode_bench bench/transcode_compare.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_BIN=${BENCH_BIN:-$ROOT/build/bench/transcode_bench}
OUT=${OUT:-/tmp/onair-bench/transcode-$(date +%Y%m%d-%H%M%S)}
REPEATS=${REPEATS:-3}
MEDIA_SECONDS=${MEDIA_SECONDS:-15}
SIZE=${SIZE:-1920x1080}
THREADS=${THREADS:-1}
REALTIME_N=${REALTIME_N:-0}
mkdir -p "$OUT"
[ -x "$BENCH_BIN" ] || { echo "build bench/transcode_bench first (BENCH_BIN=$BENCH_BIN)" >&2; exit 1; }
SOURCE=$OUT/source.flv
if [ ! -f "$SOURCE" ]; then
  echo "== source: $SIZE, $MEDIA_SECONDS s"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=$SIZE:rate=30,noise=alls=8:allf=t" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$MEDIA_SECONDS" \
    -c:v libx264 -preset veryfast -b:v 6000k -maxrate 6000k -bufsize 12000k -g 60 -bf 2 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -f flv "$SOURCE"
fi
HEIGHT=${SIZE#*x}

# The same ladder as rungs_below(default_video_ladder(), HEIGHT): name height kbps.
LADDER=()
[ "$HEIGHT" -gt 720 ] && LADDER+=("720 2500")
[ "$HEIGHT" -gt 480 ] && LADDER+=("480 1000")
[ "$HEIGHT" -gt 360 ] && LADDER+=("360 600")
X264="-c:v libx264 -preset veryfast -tune zerolatency -bf 0 -forced-idr 1 -x264-params keyint=infinite:scenecut=0"
X264="$X264 -force_key_frames source -fps_mode passthrough -threads $THREADS"
SPLIT="[0:v]split=${#LADDER[@]}"
SCALES="" MAPS=""
for i in "${!LADDER[@]}"; do
  read -r h kbps <<<"${LADDER[$i]}"
  SPLIT="$SPLIT[s$i]"
  SCALES="$SCALES;[s$i]scale=-2:$h:flags=bicubic[v$i]"
  MAPS="$MAPS -map [v$i] $X264 -b:v ${kbps}k -maxrate ${kbps}k -bufsize $((2 * kbps))k -f null -"
done
FFMPEG_CMD="ffmpeg -hide_banner -nostats -loglevel error -threads 1 -i $SOURCE -an -filter_threads 1 \
-filter_complex $SPLIT$SCALES $MAPS"
OURS_CMD="$BENCH_BIN $SOURCE --threads $THREADS"
echo "$FFMPEG_CMD" >"$OUT/ffmpeg_cmd.txt"

# Runs a command, prints "cpu_seconds wall_seconds"; the command's stdout goes to $2.
measure() {
  python3 - "$@" <<'PY'
import os, subprocess, sys, time
out = open(sys.argv[1], "w")
t = time.monotonic()
p = subprocess.Popen(sys.argv[2].split(), stdout=out, stderr=subprocess.PIPE)
_, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t
if status != 0:
    sys.exit(f"{sys.argv[2]} failed: {p.stderr.read().decode()[-2000:]}")
print(f"{ru.ru_utime + ru.ru_stime:.3f} {wall:.3f}")
PY
}

echo -e "run\ttool\tcpu_s\twall_s\tload1" >"$OUT/runs.tsv"
for run in $(seq 1 "$REPEATS"); do
  for tool in onair ffmpeg; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$tool" = onair ]; then r=$(measure "$OUT/onair-$run.json" "$OURS_CMD"); else r=$(measure /dev/null "$FFMPEG_CMD"); fi
    echo -e "$run\t$tool\t${r% *}\t${r#* }\t$load" | tee -a "$OUT/runs.tsv"
  done
done

if [ "$REALTIME_N" -gt 0 ]; then
  echo "== $REALTIME_N ladders in parallel at real time"
  pids=()
  for i in $(seq 1 "$REALTIME_N"); do
    $OURS_CMD --realtime >"$OUT/realtime-$i.json" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
fi

python3 - "$OUT" "$MEDIA_SECONDS" "$REALTIME_N" <<'PY' | tee "$OUT/summary.md"
import csv, json, statistics, sys, os
out, media, rt_n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rows = list(csv.DictReader(open(f"{out}/runs.tsv"), delimiter="\t"))
cpu = {t: [float(r["cpu_s"]) for r in rows if r["tool"] == t] for t in ("onair", "ffmpeg")}
wall = {t: [float(r["wall_s"]) for r in rows if r["tool"] == t] for t in ("onair", "ffmpeg")}
loads = [float(r["load1"]) for r in rows]
med = {t: statistics.median(v) for t, v in cpu.items()}
ours = json.load(open(f"{out}/onair-1.json"))
per_media = med["onair"] / ours["media_s"]
print(f"| tool | CPU s per run (runs) | median | wall s (median) | CPU s per media s |")
print(f"|---|---|---|---|---|")
for t in ("onair", "ffmpeg"):
    print(f"| {t} | {', '.join(f'{c:.2f}' for c in cpu[t])} | {med[t]:.2f} | {statistics.median(wall[t]):.2f} | "
          f"{med[t] / ours['media_s']:.3f} |")
print()
print(f"ratio onair/ffmpeg (medians): **{med['onair'] / med['ffmpeg']:.3f}** (target <= 1.05)")
print(f"ladders per 2 cores at real time (2 / {per_media:.3f}): **{2 / per_media:.1f}**")
print(f"load average (1 min) during the runs: {min(loads):.2f}-{max(loads):.2f}")
print(f"renditions: " + ", ".join(f"{k} {v['size']} {v['frames']} frames, {v['keyframes']} IDR"
                                  for k, v in ours["renditions"].items()) +
      f" (source {ours['frames_in']} frames, {ours['keyframes_in']} IDR)")
if rt_n:
    lags = [json.load(open(f"{out}/realtime-{i}.json"))["max_lag_ms"] for i in range(1, rt_n + 1)]
    print(f"{rt_n} parallel real-time ladders: max lag behind the source clock {', '.join(f'{l:.0f}' for l in lags)} ms")
PY
