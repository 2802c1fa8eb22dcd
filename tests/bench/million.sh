#!/usr/bin/env bash
# A million items (issue #20): a local store of N mixed items (mail, events, tasks made from
# mail; generated, small messages) and what the window asks of it.
#
#   tests/bench/million.sh [--mail 900000] [--events 50000] [--tasks 50000] [--idle 120] [--reps 3]
#                          [--no-app]
#
# gen_million.py writes an mbox and an .ics; `big_store` (crates/cli/examples) imports them into
# a fresh data dir through the API, makes tasks of the newest mails, and times in-process the
# first page of the unified timeline and of the Inbox (goal ≤ 50 ms) and the first 50 results of
# each query of queries.txt (goal: p50 ≤ 10 ms); then app.sh --data starts the release app on
# that store: start to painted timeline (goal ≤ 1.5 s) and idle memory (goal ≤ 400 MB).
# No peer runs here: no other client opens a store of this size in a comparable way (notmuch
# would need `notmuch new` over a million files first).
# Raw output in $BENCH_OUT (default tests/bench/out/million-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
mail=900000
events=50000
tasks=50000
idle=120
reps=3
app=1
while [ $# -gt 0 ]; do
  case "$1" in
    --mail) mail=$2; shift ;;
    --events) events=$2; shift ;;
    --tasks) tasks=$2; shift ;;
    --idle) idle=$2; shift ;;
    --reps) reps=$2; shift ;;
    --no-app) app="" ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "million.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/million-$stamp}
mkdir -p "$out"
work=$(mktemp -d "${BENCH_TMP:-/dev/shm}/satu-million.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  log "building big_store (release)"
  (cd "$repo" && cargo build --release -q -p satu-cli --example big_store)
fi
log "generating $mail mails and $events events"
/usr/bin/python3 "$here/gen_million.py" --mail "$mail" --events "$events" --mbox "$work/mail.mbox" --ics "$work/events.ics"
log "importing, making $tasks tasks, timing the timeline and search"
/usr/bin/time -f '%e %M' -o "$out/big_store.time" \
  "$CARGO_TARGET_DIR/release/examples/big_store" "$work/data" "$work/mail.mbox" "$work/events.ics" \
  "$tasks" "$here/queries.txt" 30 >"$out/big_store.json"
rm -f "$work/mail.mbox" "$work/events.ics"
du -sk "$work/data" | awk '{print "data dir: " $1 " KB"}' >"$out/store.txt"
if [ -n "$app" ]; then
  log "the app on that store"
  BENCH_OUT="$out/app" SATU_BENCH_NO_BUILD="${SATU_BENCH_NO_BUILD:-}" \
    "$here/app.sh" --data "$work/data" --reps "$reps" --idle "$idle" | tee "$out/app.md"
fi
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys, os
out = sys.argv[1]
r = json.load(open(os.path.join(out, "big_store.json")))
p = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * (len(xs) - 1)))] / 1000
print(f"mail imported: {r['mail_imported']} in {r['mail_s']:.0f} s; events: {r['events']} in {r['events_s']:.0f} s; tasks: {r['tasks']} in {r['tasks_s']:.0f} s")
print(open(os.path.join(out, "store.txt")).read().strip())
for name in ("first_page", "inbox_page"):
    s = r[name]["samples_us"]
    print(f"{name}: {r[name]['rows']} rows, p50 {p(s, .5):.1f} ms, p95 {p(s, .95):.1f} ms (goal ≤ 50 ms)")
allp = [x for q in r["search"] for x in q["samples_us"]]
print(f"search, first 50 results, {len(r['search'])} queries: p50 {p(allp, .5):.1f} ms, p95 {p(allp, .95):.1f} ms (goal p50 ≤ 10 ms)")
for q in r["search"]:
    print(f"  {q['query']!r}: {q['hits']} hits, p50 {p(q['samples_us'], .5):.1f} ms")
PY
log "raw results in $out"
