#!/usr/bin/env bash
# The desktop app's start-up time and memory with a large store (issue: "cold start to a painted
# timeline with 100k messages in the store", "memory of the whole process tree idle").
#
#   tests/bench/app.sh [--count 100000] [--reps 5] [--idle 300] [--data DIR]
#
# Generates --count messages (gen_corpus.py, deterministic), imports them with `satu import
# maildir` into a fresh data dir (release build), then starts the release app under a private
# Xvfb --reps times: each start is timed from the process start to the first painted timeline
# (the app's own measurement: SATU_REPORT_STARTUP=1 makes it print `painted_ms=N` once the
# window has drawn its first page of rows). The last start stays open --idle seconds, then the
# proportional set size (PSS, /proc/PID/smaps_rollup) of the app and all its processes (WebKit's
# web and network processes) is summed. The OS page cache is warm (the same files were just
# written); "cold" means no Satu process was running. --data DIR starts the app on an existing
# data dir instead (generating and importing 100k messages takes several minutes).
# Results are printed as Markdown; raw output in $BENCH_OUT (default tests/bench/out/app-<stamp>/).
#
# Environment: CARGO_TARGET_DIR (default the repository's target/), BENCH_TMP (default /dev/shm),
# SATU_BENCH_NO_BUILD=1 (use the binaries already built).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
count=100000
data_dir=""
reps=5
idle=300
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --reps) reps=$2; shift ;;
    --idle) idle=$2; shift ;;
    --data) data_dir=$2; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "app.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
tmp_root=${BENCH_TMP:-/dev/shm}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/app-$stamp}
mkdir -p "$out"
work=$(mktemp -d "$tmp_root/satu-app-bench.XXXXXX")
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  echo "==> Building the UI and the release app and CLI" >&2
  # shellcheck source=../../scripts/lib.sh
  (cd "$repo" && source scripts/lib.sh && build_ui >&2)
  (cd "$repo" && cargo build --release -p satu-cli >&2 \
    && cargo build --release --features custom-protocol -p satu-app >&2)
fi
satu="$CARGO_TARGET_DIR/release/satu"
app="$CARGO_TARGET_DIR/release/satu-app"
[ -x "$satu" ] && [ -x "$app" ] || { echo "app.sh: build $satu and $app first" >&2; exit 1; }

if [ -n "$data_dir" ]; then
  data=$data_dir
  count=$("$satu" --data-dir "$data" --json counts >/dev/null && python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM mail').fetchone()[0])" "$data/satu.db")
  import_s=0
else
  echo "==> Generating $count messages and importing them" >&2
  python3 "$here/gen_corpus.py" --count "$count" --maildir "$work/Maildir" >&2
  data="$work/data"
  import_start=$(date +%s%N)
  "$satu" --data-dir "$data" import maildir "$work/Maildir" >&2
  import_s=$(( ($(date +%s%N) - import_start) / 1000000 ))
  rm -rf "$work/Maildir"
fi
db_mb=$(du -m "$data/satu.db" | cut -f1)

echo "==> Starting the app $reps times" >&2
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"
export NO_AT_BRIDGE=1

# shellcheck source=lib-pss.sh
source "$here/lib-pss.sh" # pss_tree

painted=()
for rep in $(seq "$reps"); do
  log="$out/app-$rep.log"
  SATU_DATA_DIR="$data" SATU_REPORT_STARTUP=1 SATU_LOG=warn "$app" >"$log" 2>&1 &
  app_pid=$!
  for _ in $(seq 600); do grep -q 'painted_ms=' "$log" && break; sleep 0.05; done
  ms=$(grep -o 'painted_ms=[0-9]*' "$log" | head -n1 | cut -d= -f2)
  [ -n "$ms" ] || { echo "app.sh: start $rep never painted; see $log" >&2; exit 1; }
  painted+=("$ms")
  echo "start $rep: painted after $ms ms" >&2
  if [ "$rep" -lt "$reps" ]; then
    kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
    sleep 1
  fi
done
echo "==> Idle for $idle s" >&2
sleep "$idle"
read -r pss processes < <(pss_tree "$app_pid")
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""

sorted=$(printf '%s\n' "${painted[@]}" | sort -n)
median=$(echo "$sorted" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
{
  echo "### Desktop app: start-up and memory ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r))"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| messages in the store | $count (satu.db $db_mb MB$([ "$import_s" -gt 0 ] && echo "; import $((import_s / 1000)).$(( (import_s % 1000) / 100 )) s")) |"
  echo "| start to painted timeline, each run (ms) | $(printf '%s ' "${painted[@]}") |"
  echo "| **start to painted timeline, median** | **$median ms** (goal ≤ 1000 ms) |"
  echo "| PSS of the app's $processes processes after $idle s idle | **$((pss / 1024)) MB** |"
} | tee "$out/summary.md"
