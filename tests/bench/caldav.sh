#!/usr/bin/env bash
# CalDAV benchmark (issue #6): initial sync of a calendar with N events, and a no-change resync,
# Satu against vdirsyncer on the same server in the same run. Goal: Satu ≤ 0.5× vdirsyncer's
# wall time for both.
#
#   tests/bench/caldav.sh [N]          N events (default 10000)
#   BENCH_SERVER=xandikos tests/bench/caldav.sh [N]   the same against Xandikos instead of Radicale
#
# What it does:
#   * starts a private Radicale 3 (tests/servers/radicale.sh) in a temp dir on /dev/shm (when it
#     has room; else $TMPDIR or /tmp; BENCH_TMP=DIR to choose), stops it, writes the N events of
#     gen_events.py (deterministic) straight into alice's /alice/calendar/ collection on disk (a
#     PUT per event costs O(collection) on Radicale), starts it again with one setting raised
#     (Radicale's limit of 10000 VEVENTs per REPORT, which refuses vdirsyncer's single
#     calendar-multiget and Satu's single sync-collection at 10k events; BENCH_STOCK_RADICALE=1
#     keeps it);
#   * or, with BENCH_SERVER=xandikos, a private Xandikos (tests/servers/xandikos.sh, Debian
#     package, no authentication: the password is ignored) in the same way: first start (makes
#     the collections), stop, the same N events written into the working tree of the Git
#     repository Xandikos keeps for /alice/calendars/calendar/ (DIR/data/alice/calendars/calendar,
#     not bare: Xandikos serves what its index holds and commits it) and committed there with git
#     (update-index + commit; a PUT per event costs O(collection) on Xandikos too), then started
#     again, unchanged. Xandikos lists both its calendars (Calendar and Tasks, both taking every
#     component), so both clients sync two collections, the tasks one empty. Xandikos finds each
#     item it serves (GET, each href of a multiget) by walking its Git index: O(collection) per
#     item, so the warm-up also times one calendar-multiget of 200 items; it answers one request
#     at a time and finishes those a client gave up on (vdirsyncer's aiohttp gives up after
#     300 s), so each measurement first waits until it answers a PROPFIND Depth 0;
#   * warms it before timing either client, so that neither pays for it: one PROPFIND Depth 1
#     (Radicale parses every item and fills its item cache; the answer must list N items) and one
#     sync-collection REPORT without a token (Radicale fills its history cache, which
#     sync-collection clients such as Satu need); then times the same two requests with curl
#     again, warm, as the server's own floor;
#   * vdirsyncer (Debian package, installed when missing): caldav storage (plain HTTP, alice)
#     paired with a filesystem storage (.ics), collections = ["from a"]; `vdirsyncer discover`
#     (untimed), then `vdirsyncer sync` timed from empty state (each run: status dir and
#     filesystem target wiped, discover again, untimed) and again with nothing changed; checks
#     that it fetched N files;
#   * Satu: `satu account add-caldav` into a fresh data dir (untimed: discovery), then
#     `satu --json sync` timed from a fresh data dir each run, and again with nothing changed;
#     then counts the events it stored with `satu --json calendar events --from 1970-01-01
#     --to 2100-01-01`.
# Timing: hyperfine when installed (3 runs each, --prepare for the fresh state), else a bash
# timer. Order: vdirsyncer initial, Satu initial, Satu resync, vdirsyncer resync. Everything (the
# server, both clients' data) lives on the same filesystem. Prints a Markdown summary with the
# medians and the ratios Satu / vdirsyncer (PASS when ≤ 0.5; marked unverified or not comparable
# unless Satu's event count is N), each client's CPU time (hyperfine's user + system) and the time
# Radicale spent answering it (the durations in its log, preparations left out; Xandikos logs no
# durations: "n/a" and the number of requests); raw output in $BENCH_OUT (default
# tests/bench/out/caldav-<stamp>/, caldav-xandikos-<stamp>/ for Xandikos). Exits 1 when a client
# failed to sync (not when `satu calendar events` is missing). The server is stopped and the temp
# dir removed on exit, Ctrl-C included.
#
# Environment:
#   SATU_BIN        the satu binary (default $CARGO_TARGET_DIR/release/satu, built with
#                   `cargo build --release -p satu-cli` when missing; CARGO_TARGET_DIR defaults
#                   to the repository's target/)
#   BENCH_SERVER    radicale (default) or xandikos
#   BENCH_REPS      runs per measurement (default 3)
#   BENCH_TMP       where the temp dir goes (default /dev/shm when it has room)
#   BENCH_OUT       where the raw results go
#   BENCH_TIMER=bash   use the bash timer even when hyperfine is installed
#   SKIP_SATU=1 / SKIP_VDIRSYNCER=1   measure one client only
#   BENCH_STOCK_RADICALE=1   Radicale with stock limits (vdirsyncer then fails at 10k events;
#                   Satu's one-answer initial sync is refused and it falls back to multigets)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
n=${1:-10000}
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "caldav.sh: N must be a positive number, not '$n'" >&2; exit 2; }
server=${BENCH_SERVER:-radicale}
case "$server" in
  radicale) server_name=Radicale ;;
  xandikos) server_name=Xandikos ;;
  *) echo "caldav.sh: BENCH_SERVER must be radicale or xandikos, not '$server'" >&2; exit 2 ;;
esac

# shellcheck source=../../scripts/lib.sh
source "$repo/scripts/lib.sh" # ensure_apt
# Satu keeps the account password in the OS keyring: give the run its own kernel session keyring.
if [ -z "${SATU_BENCH_IN_KEYCTL:-}" ]; then
  command -v keyctl >/dev/null || ensure_apt keyutils >&2
  export SATU_BENCH_IN_KEYCTL=1
  exec keyctl session - "$0" "$@"
fi
export SATU_KEYRING=${SATU_KEYRING:-keyutils}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
script_start=$(date +%s)
reps=${BENCH_REPS:-3}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/caldav-$([ "$server" = radicale ] || echo "$server-")$stamp}
mkdir -p "$out"

# Room: the server's files and caches, vdirsyncer's copy and Satu's store; ~25 KB per event is
# generous (the events average ~1.4 KB).
need_mb=$(( n * 25 / 1024 + 100 ))
if [ -n "${BENCH_TMP:-}" ]; then
  tmp_root=$BENCH_TMP
elif [ -d /dev/shm ] && [ "$(df -Pm /dev/shm | awk 'NR==2 {print $4}')" -ge "$need_mb" ]; then
  tmp_root=/dev/shm
else
  tmp_root=${TMPDIR:-/tmp}
fi
work=$(mktemp -d "$tmp_root/satu-caldav-bench.XXXXXX")
rad="$work/radicale" # Radicale's dir
xk="$work/xandikos"  # Xandikos' dir (BENCH_SERVER=xandikos)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -d "$rad" ]; then "$repo/tests/servers/radicale.sh" stop "$rad" >/dev/null 2>&1 || true; fi
  if [ -d "$xk" ]; then "$repo/tests/servers/xandikos.sh" stop "$xk" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "caldav.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

command -v curl >/dev/null || ensure_apt curl >&2
[ "$server" != xandikos ] || command -v xandikos >/dev/null || ensure_apt xandikos >&2
[ -n "${SKIP_VDIRSYNCER:-}" ] || command -v vdirsyncer >/dev/null || ensure_apt vdirsyncer >&2
timer=bash
if [ "${BENCH_TIMER:-}" != bash ] && command -v hyperfine >/dev/null; then timer=hyperfine; fi

# --- Satu's binary ----------------------------------------------------------------------------
satu=""
if [ -z "${SKIP_SATU:-}" ]; then
  if [ -n "${SATU_BIN:-}" ]; then
    satu=$SATU_BIN
  else
    target=${CARGO_TARGET_DIR:-$repo/target}
    satu=$target/release/satu
    if [ ! -x "$satu" ]; then
      log "building $satu (cargo build --release -p satu-cli)"
      (cd "$repo" && cargo build --release -q -p satu-cli --bin satu)
    fi
  fi
  [ -x "$satu" ] || { echo "caldav.sh: no satu binary at $satu (set SATU_BIN)" >&2; exit 1; }
  satu=$(cd "$(dirname "$satu")" && pwd -P)/$(basename "$satu")
fi

# --- machine ----------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "N: $n events"
  echo "nproc: $(nproc)"
  echo "cpu: $cpu"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "storage: $(df -Ph "$tmp_root" | awk 'NR==2 {print $1, $2}') at $tmp_root"
  echo "timer: $timer$([ "$timer" = hyperfine ] && echo " ($(hyperfine --version | cut -d' ' -f2))"), $reps runs each, medians"
  [ -n "${SKIP_VDIRSYNCER:-}" ] || echo "vdirsyncer: $(vdirsyncer --version 2>/dev/null | sed 's/.*version //')"
  [ -z "$satu" ] || echo "satu: $satu (built $(date -u -r "$satu" '+%Y-%m-%d %H:%M UTC'); repository at $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- crates 2>/dev/null || echo '+dirty crates'))"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

# --- the server -------------------------------------------------------------------------------
if [ "$server" = radicale ]; then
  "$repo/tests/servers/radicale.sh" venv
  echo "radicale: $("$HOME/.cache/satu/venv-radicale/bin/python" -c 'import radicale; print(radicale.VERSION)' 2>/dev/null || echo '?')" >>"$out/machine.txt"
  log "Radicale: first start (makes the collections), stop"
  "$repo/tests/servers/radicale.sh" start "$rad" >/dev/null
  "$repo/tests/servers/radicale.sh" stop "$rad"
  cal="$rad/collections/collection-root/alice/calendar"
  [ -s "$cal/.Radicale.props" ] || { echo "caldav.sh: $cal is not a Radicale calendar" >&2; exit 1; }
  log "writing $n events into $cal"
  t0=$(date +%s%N)
  python3 "$here/gen_events.py" "$n" "$cal" 2> >(tee "$out/events.txt" >&2)
  log "  generated in $(( ($(date +%s%N) - t0) / 1000000 )) ms; $(du -sh "$cal" | cut -f1) on disk"
  # Radicale 3.9 refuses (400) a REPORT whose calendar-data holds more than [reporting]
  # max_expand_occurrence VEVENTs (default 10000). vdirsyncer 0.19 fetches all new items in ONE
  # calendar-multiget, so at 10k events (10.5k VEVENTs with the overrides) its initial sync fails
  # against a stock Radicale. Satu's initial sync asks for everything in one sync-collection too
  # (refused likewise: it then asks again for the etags and fetches in multigets of 200). The
  # limit is the server's, the same for both clients: the measured Radicale is started with it
  # raised (radicale.sh's RADICALE_MAX_REPORT_VEVENTS). BENCH_STOCK_RADICALE=1 keeps the stock
  # limit.
  max_report=$(( n * 3 + 10000 ))
  if [ -z "${BENCH_STOCK_RADICALE:-}" ]; then
    export RADICALE_MAX_REPORT_VEVENTS=$max_report
    radicale_note="[reporting] max_expand_occurrence = $max_report (stock 10000; see caldav.sh)"
  else
    unset RADICALE_MAX_REPORT_VEVENTS
    radicale_note="stock limits"
  fi
  env_line=$("$repo/tests/servers/radicale.sh" start "$rad")
  eval "$env_line"
  url=$RADICALE_URL
  coll_url="${url%/}/alice/calendar/"
  log "Radicale at $url ($radicale_note)"
  slog="$rad/radicale.log"
  server_note=$radicale_note
else
  echo "xandikos: $(dpkg-query -W -f '${Version}' xandikos 2>/dev/null || echo '?') (Debian)" >>"$out/machine.txt"
  log "Xandikos: first start (makes the collections), stop"
  "$repo/tests/servers/xandikos.sh" start "$xk" >/dev/null
  "$repo/tests/servers/xandikos.sh" stop "$xk"
  # Each collection is a Git repository with a working tree; Xandikos serves what its index
  # holds (TreeGitStore): write the files into the working tree, add them to the index, commit.
  cal="$xk/data/alice/calendars/calendar"
  [ -s "$cal/.xandikos" ] && [ "$(git -C "$cal" rev-parse --is-bare-repository 2>/dev/null)" = false ] \
    || { echo "caldav.sh: $cal is not a Xandikos calendar (a Git working tree with .xandikos)" >&2; exit 1; }
  log "writing $n events into $cal and committing them"
  t0=$(date +%s%N)
  python3 "$here/gen_events.py" "$n" "$cal" 2> >(tee "$out/events.txt" >&2)
  t1=$(date +%s%N)
  (
    cd "$cal"
    export GIT_AUTHOR_NAME=caldav.sh GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=caldav.sh \
      GIT_COMMITTER_EMAIL=bench@localhost
    find . -maxdepth 1 -name '*.ics' -printf '%P\n' | git update-index --add --stdin
    # No automatic gc (10k loose objects would start one, detached, while Xandikos runs): the
    # objects stay loose, as Xandikos (dulwich) itself writes them for each PUT.
    git -c gc.auto=0 commit -q --no-verify -m "caldav.sh: $n events of gen_events.py"
  )
  [ "$(git -C "$cal" ls-files -- '*.ics' | wc -l)" -eq "$n" ] && [ -z "$(git -C "$cal" status --porcelain)" ] \
    || { echo "caldav.sh: the $n events are not all committed in $cal" >&2; exit 1; }
  log "  generated in $(( (t1 - t0) / 1000000 )) ms, committed in $(( ($(date +%s%N) - t1) / 1000000 )) ms; $(du -sh "$cal" | cut -f1) on disk"
  env_line=$("$repo/tests/servers/xandikos.sh" start "$xk")
  eval "$env_line"
  url=$XANDIKOS_URL
  coll_url="${url%/}$XANDIKOS_CALENDAR"
  slog="$xk/xandikos.log"
  server_note="no authentication; two calendars, Calendar and an empty Tasks"
  log "Xandikos at $url ($server_note)"
fi

# dav METHOD DEPTH BODY OUTFILE: one request as alice; sets code and secs. (curl runs in the
# foreground, not in a process substitution, so that Ctrl-C stops it at once.)
dav() {
  curl -sS -u alice:alice-pass -X "$1" -H "Depth: $2" -H 'Content-Type: application/xml; charset=utf-8' \
    --data-binary "$3" -o "$4" -w '%{http_code} %{time_total}\n' "$coll_url" >"$work/curl.out" || true
  read -r code secs <"$work/curl.out" || { code=000; secs=0; }
}
propfind='<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
sync_body() { # sync-collection for token $1 ('' = everything)
  printf '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' "$1"
}
count_items() { # multistatus file: the number of .ics members with an etag
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
n = 0
for r in root.iter("{DAV:}response"):
    href = r.findtext("{DAV:}href") or ""
    if href.endswith(".ics") and r.find(".//{DAV:}getetag") is not None:
        n += 1
print(n)
PY
}
sync_token() { python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).getroot().findtext("{DAV:}sync-token") or "")' "$1"; }

log "warming $server_name (before timing either client): PROPFIND Depth 1, sync-collection"
dav PROPFIND 1 "$propfind" "$work/propfind.xml"; cold_propfind=$secs
[ "$code" = 207 ] || { echo "caldav.sh: PROPFIND answered $code" >&2; exit 1; }
served=$(count_items "$work/propfind.xml")
[ "$served" -eq "$n" ] || { echo "caldav.sh: $server_name lists $served items, not $n (see $slog)" >&2; tail -n 20 "$slog" >&2; exit 1; }
dav REPORT 1 "$(sync_body '')" "$work/sync.xml"; cold_sync=$secs
[ "$code" = 207 ] || { echo "caldav.sh: sync-collection answered $code" >&2; exit 1; }
token=$(sync_token "$work/sync.xml")
dav PROPFIND 1 "$propfind" "$work/propfind2.xml"; warm_propfind=$secs
dav REPORT 1 "$(sync_body "$token")" "$work/sync2.xml"; warm_sync=$secs
[ "$code" = 207 ] || { echo "caldav.sh: the no-change sync-collection answered $code" >&2; exit 1; }
[ "$(count_items "$work/sync2.xml")" -eq 0 ] || log "warning: the no-change sync-collection listed changes"
for v in cold_propfind cold_sync warm_propfind warm_sync; do printf -v "$v" '%.3f' "${!v}"; done
log "  server: $served items; cold PROPFIND ${cold_propfind}s, cold sync-collection ${cold_sync}s; warm PROPFIND ${warm_propfind}s, no-change sync-collection ${warm_sync}s"
floor_note=""
if [ "$server" = xandikos ]; then
  # Xandikos resolves each href of a multiget (and each GET) by opening the store and walking
  # its Git index, O(collection) per item: the data of the items, not the listing, is its cost.
  # One calendar-multiget of 200 of them (Satu's chunk), warm, as a floor per item.
  m=$(( n < 200 ? n : 200 ))
  body='<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
  body+=$(python3 - "$work/propfind.xml" "$m" <<'PY'
import sys, xml.etree.ElementTree as ET
hrefs = [h for h in (r.findtext("{DAV:}href") or "" for r in ET.parse(sys.argv[1]).getroot().iter("{DAV:}response")) if h.endswith(".ics")]
print("".join("<d:href>%s</d:href>" % h for h in hrefs[: int(sys.argv[2])]))
PY
)
  body+='</c:calendar-multiget>'
  dav REPORT 1 "$body" "$work/multiget.xml"
  [ "$code" = 207 ] && [ "$(count_items "$work/multiget.xml")" -eq "$m" ] \
    || { echo "caldav.sh: a calendar-multiget of $m items answered $code" >&2; exit 1; }
  printf -v floor_note '; one calendar-multiget of %d items %.3f s (%.1f ms per item)' "$m" "$secs" "$(awk -v s="$secs" -v m="$m" 'BEGIN { print s * 1000 / m }')"
  log "  server: a calendar-multiget of $m items ${secs}s"
fi

# --- timing -----------------------------------------------------------------------------------
# measure NAME PREPARE COMMAND: REPS runs (PREPARE, untimed, before each; '' for none);
# writes the wall times (s) to $out/NAME.times, one per line. Returns non-zero if a run failed.
# The server's side: its log's offsets around the measurement (S, F) and around each
# preparation (P, E) go to $out/NAME.marks, for server_time below.
measure() {
  local name=$1 prepare=$2 cmd=$3 i t0 t1 marks="$out/$1.marks" rlog="$slog"
  : >"$out/$name.times"
  server_idle || return 1
  echo "S $(stat -c %s "$rlog")" >"$marks"
  if [ -n "$prepare" ]; then
    prepare="echo P \$(stat -c %s $rlog) >>$marks && $prepare && echo E \$(stat -c %s $rlog) >>$marks"
  fi
  measure_runs "$name" "$prepare" "$cmd" || return 1
  echo "F $(stat -c %s "$rlog")" >>"$marks"
}
measure_runs() {
  local name=$1 prepare=$2 cmd=$3
  if [ "$timer" = hyperfine ]; then
    local args=(--runs "$reps" --style basic --export-json "$out/$name.json" -n "$name")
    [ -z "$prepare" ] || args+=(--prepare "$prepare")
    hyperfine "${args[@]}" "$cmd" >&2 || return 1
    python3 -c 'import json, sys; [print("%.3f" % t) for t in json.load(open(sys.argv[1]))["results"][0]["times"]]' \
      "$out/$name.json" >"$out/$name.times"
  else
    for i in $(seq "$reps"); do
      [ -z "$prepare" ] || bash -c "$prepare" || return 1
      t0=$(date +%s%N)
      bash -c "$cmd" || return 1
      t1=$(date +%s%N)
      echo "$(( (t1 - t0) / 1000000 ))" | awk '{printf "%.3f\n", $1 / 1000}' >>"$out/$name.times"
      log "  $name run $i: $(tail -n1 "$out/$name.times") s"
    done
  fi
}
# server_idle: Xandikos answers one request at a time and finishes a request whose client has
# given up (e.g. on a timeout) before it serves the next: wait until it answers a PROPFIND
# Depth 0, so that a measurement never pays for an earlier one. (Radicale: nothing to do.)
server_idle() {
  [ "$server" = xandikos ] || return 0
  local t0
  t0=$(date +%s)
  dav PROPFIND 0 "$propfind" /dev/null
  [ "$code" = 207 ] || { echo "caldav.sh: Xandikos answered $code to a PROPFIND" >&2; return 1; }
  [ $(( $(date +%s) - t0 )) -lt 2 ] || log "  (waited $(( $(date +%s) - t0 )) s for Xandikos to finish an earlier request)"
}
# server_time NAME: "seconds requests" per run that Radicale spent answering the measured
# commands (the sum of the durations it logs), preparations left out. Xandikos (aiohttp's access
# log) logs no durations: "n/a" and the number of requests per run.
server_time() {
  grep -q '^F ' "$out/$1.marks" 2>/dev/null || { echo "n/a"; return; }
  python3 - "$slog" "$out/$1.marks" "$reps" "$server" <<'PY'
import re, sys
log, marks, reps, server = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
m = [(k, int(v)) for k, v in (l.split() for l in open(marks))]
start = next(v for k, v in m if k == "S")
end = next((v for k, v in m if k == "F"), None)
skip, p = [], None
for k, v in m:
    if k == "P":
        p = v
    elif k == "E" and p is not None:
        skip.append((p, v))
        p = None
total, count, pos = 0.0, 0, 0
with open(log, "rb") as f:
    for line in f:
        at, pos = pos, pos + len(line)
        if at < start or (end is not None and at >= end) or any(a <= at < b for a, b in skip):
            continue
        if server == "xandikos":
            count += line.startswith(b"INFO:aiohttp.access:")
            continue
        r = re.search(rb"\] (?:\w+) response status .* in ([0-9.]+) seconds", line)
        if r:
            total += float(r.group(1))
            count += 1
if server == "xandikos":
    print("n/a (%d requests)" % round(count / reps))
else:
    print("%.2f s (%d requests)" % (total / reps, round(count / reps)))
PY
}
# median FILE [DIGITS]: the median of the times in FILE, DIGITS decimals (default 2; the ratios
# are computed from 3, so that a rounded 0.50 is not a pass when it is 0.501).
median() { [ -s "$1" ] && sort -n "$1" | awk -v d="${2:-2}" '{v[NR]=$1} END {f = "%." d "f"; if (NR%2) printf f, v[(NR+1)/2]; else printf f, (v[NR/2]+v[NR/2+1])/2}'; }
runs() { [ -s "$1" ] && paste -sd, "$1" | sed 's/,/, /g'; }

# --- vdirsyncer -------------------------------------------------------------------------------
vd="$work/vdirsyncer"
vdir_ok=""
vdir_files=""
vdir_error=""
if [ -z "${SKIP_VDIRSYNCER:-}" ]; then
  mkdir -p "$vd"
  cat >"$vd/config" <<EOF
[general]
status_path = "$vd/status/"

[pair bench]
a = "bench_remote"
b = "bench_local"
collections = ["from a"]

[storage bench_remote]
type = "caldav"
url = "$url"
username = "alice"
password = "alice-pass"

[storage bench_local]
type = "filesystem"
path = "$vd/local/"
fileext = ".ics"
EOF
  # Fresh state: no status, empty filesystem target, collections discovered again (answering
  # yes to "create the local collection?").
  cat >"$vd/prepare.sh" <<EOF
set -e
rm -rf "$vd/status" "$vd/local"
mkdir -p "$vd/local"
yes | vdirsyncer -c "$vd/config" discover >>"$vd/discover.log" 2>&1
EOF
  bash "$vd/prepare.sh"
  log "vdirsyncer discover: $(grep -o 'collections = .*' "$vd/discover.log" | tail -n1)"
  log "vdirsyncer: initial sync, $reps runs from empty state"
  if measure vdirsyncer-initial "bash $vd/prepare.sh" "vdirsyncer -c $vd/config sync >>$vd/sync.log 2>&1"; then
    vdir_files=$(find "$vd/local" -name '*.ics' | wc -l)
    cal_files=$(find "$vd/local/calendar" -name '*.ics' 2>/dev/null | wc -l)
    log "  vdirsyncer fetched $vdir_files files ($cal_files in calendar/)"
    if [ "$cal_files" -eq "$n" ]; then vdir_ok=1; else log "caldav.sh: vdirsyncer fetched $cal_files events, not $n"; fi
  else
    log "caldav.sh: vdirsyncer sync failed (see $out/vdirsyncer-sync.log)"; tail -n 5 "$vd/sync.log" >&2
    vdir_error=$(grep -m1 '^error: ' "$vd/sync.log" | cut -c8-200 || true)
  fi
fi

# --- the server's floor for a client that keeps a sync token -----------------------------------
# What any client that keeps an RFC 6578 sync token (as #6 asks) must ask Radicale for on an
# initial sync, with no client work at all: curl, the hrefs cut out with grep, nothing parsed or
# stored. Two orders, each the fewest requests it can be done in:
#   token-first: PROPFIND Depth 0 sync-token (taken before the listing, so that a change made
#                meanwhile comes again next time rather than never), PROPFIND Depth 1 getetag,
#                one calendar-multiget of every href;
#   sync-first:  sync-collection without a token (the token and every href with its etag in one
#                answer), one calendar-multiget of every href;
#   sync-data:   one request: sync-collection without a token asking for calendar-data too (RFC 6578
#                allows any property), the token and every item in one answer. Radicale builds an
#                answer whole before it sends it, so a client can do nothing of its own work before
#                all of it has been computed: this floor has no room for overlap.
# Timed like the clients (same runs, same server). The lower median is the floor: a client that
# also parses and stores the data can only overlap that work with these requests, not remove them
# (Radicale answers one request at a time in effect: one Python process).
floor_ok=""
if [ "$server" = radicale ] && [ -z "${SKIP_FLOOR:-}" ]; then
  fl="$work/floor"
  mkdir -p "$fl"
  cat >"$fl/common.sh" <<EOF
set -e
req() { # METHOD DEPTH BODYFILE OUTFILE
  code=\$(curl -sS -u alice:alice-pass -X "\$1" -H "Depth: \$2" -H 'Content-Type: application/xml; charset=utf-8' \\
    --data-binary "@\$3" -o "\$4" -w '%{http_code}' "$coll_url")
  [ "\$code" = 207 ] || { echo "floor: \$1 answered \$code" >&2; exit 1; }
}
multiget_all() { # LISTING: one calendar-multiget of every .ics href in it
  { printf '%s' '<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
    grep -o 'href>[^<]*\.ics<' "\$1" | sed 's|^href>\(.*\)<\$|<d:href>\1</d:href>|'
    printf '%s' '</c:calendar-multiget>'; } >"$fl/multiget.xml"
  req REPORT 1 "$fl/multiget.xml" "$fl/data.xml"
}
EOF
  printf '%s' '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>' >"$fl/token.xml"
  printf '%s' "$propfind" >"$fl/etags.xml"
  sync_body '' >"$fl/sync.xml"
  cat >"$fl/token-first.sh" <<EOF
source "$fl/common.sh"
req PROPFIND 0 "$fl/token.xml" "$fl/token.out"
req PROPFIND 1 "$fl/etags.xml" "$fl/listing.out"
multiget_all "$fl/listing.out"
EOF
  printf '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>' >"$fl/sync-data.xml"
  cat >"$fl/sync-data.sh" <<EOF
source "$fl/common.sh"
req REPORT 1 "$fl/sync-data.xml" "$fl/data.xml"
EOF
  cat >"$fl/sync-first.sh" <<EOF
source "$fl/common.sh"
req REPORT 1 "$fl/sync.xml" "$fl/listing.out"
multiget_all "$fl/listing.out"
EOF
  log "the server's floor for a client that keeps a sync token (curl, nothing parsed): $reps runs each order"
  floor_ok=1
  for order in token-first sync-first sync-data; do
    if measure "floor-$order" "" "bash $fl/$order.sh"; then
      got=$(grep -o '<[a-zA-Z]*:*calendar-data' "$fl/data.xml" | wc -l)
      [ "$got" -eq "$n" ] || { floor_ok=""; log "caldav.sh: the floor's $order requests brought $got items, not $n"; }
    else
      floor_ok=""
    fi
  done
  if [ -z "$floor_ok" ]; then
    log "caldav.sh: the floor's requests failed"
  fi
fi

# --- Satu -------------------------------------------------------------------------------------
sd="$work/satu"
satu_ok=""
satu_note=""
satu_events="" # the number of distinct events Satu stored, when it could be counted
satu_rss_mb="" # the peak RSS of an initial sync, MB
if [ -n "$satu" ]; then
  mkdir -p "$sd"
  cat >"$sd/prepare.sh" <<EOF
set -e
rm -rf "$sd/data"
printf 'alice-pass\n' | "$satu" --data-dir "$sd/data" --json account add-caldav --url "$url" \
  --username alice --password-stdin >"$sd/add.json" 2>>"$sd/add.log"
EOF
  log "Satu ($satu): initial sync, $reps runs from a fresh data dir"
  if measure satu-initial "bash $sd/prepare.sh" "$satu --data-dir $sd/data --json sync >$sd/sync-initial.json 2>>$sd/sync.log"; then
    cp "$sd/add.json" "$out/satu-add-caldav.json"
    cp "$sd/sync-initial.json" "$out/satu-sync-initial.json"
    log "Satu: resync (nothing changed), $reps runs"
    if measure satu-resync "" "$satu --data-dir $sd/data --json sync >$sd/sync-resync.json 2>>$sd/sync.log"; then
      satu_ok=1
      cp "$sd/sync-resync.json" "$out/satu-sync-resync.json"
    else
      log "caldav.sh: satu resync failed (see $out/satu-sync.log)"
    fi
    # Peak memory (#20: an initial sync of 100 000 events streamed, peak RSS ≤ 150 MB): one
    # more initial sync from a fresh data dir under GNU time (untimed: the runs above are).
    log "Satu: peak memory of one more initial sync (GNU time)"
    if bash "$sd/prepare.sh" && /usr/bin/time -f '%M' -o "$out/satu-initial.maxrss" \
      "$satu" --data-dir "$sd/data" --json sync >/dev/null 2>>"$sd/sync.log"; then
      satu_rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$out/satu-initial.maxrss")
    fi
    if "$satu" --data-dir "$sd/data" --json calendar list >"$out/satu-calendar-list.json" 2>>"$sd/sync.log"; then :; fi
    if "$satu" --data-dir "$sd/data" --json calendar events --from 1970-01-01 --to 2100-01-01 \
      >"$out/satu-events.json" 2>"$out/satu-events.err"; then
      satu_note=$(python3 - "$out/satu-events.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
if isinstance(data, dict):
    data = next((v for k, v in data.items() if isinstance(v, list)), [])
# One row per occurrence (series expanded): the events are the distinct ids (or UIDs).
rows = [e for e in data if isinstance(e, dict)]
key = "uid" if any("uid" in e for e in rows) else "id" if any("id" in e for e in rows) else None
# First word: the number of events.
if key:
    events = len({e.get(key) for e in rows})
    print("%d events (%d rows with series expanded)" % (events, len(rows)))
else:
    print("%d rows" % len(rows))
PY
) && satu_events=${satu_note%% *} || satu_note="satu calendar events: unreadable output (see satu-events.json)"
    else
      satu_note="satu calendar events not available yet"
    fi
    log "Satu: $satu_note"
  else
    log "caldav.sh: satu initial sync failed (see $out/satu-sync.log)"
    satu_note="satu sync failed"
  fi
  cp "$sd/sync.log" "$out/satu-sync.log" 2>/dev/null || true
  cp "$sd/add.log" "$out/satu-add.log" 2>/dev/null || true
fi

if [ -z "${SKIP_VDIRSYNCER:-}" ] && [ -s "$out/vdirsyncer-initial.times" ]; then
  log "vdirsyncer: resync (nothing changed), $reps runs"
  measure vdirsyncer-resync "" "vdirsyncer -c $vd/config sync >>$vd/sync.log 2>&1" \
    || { log "caldav.sh: vdirsyncer resync failed"; vdir_error="resync failed"; }
fi
cp "$vd/sync.log" "$out/vdirsyncer-sync.log" 2>/dev/null || true
cp "$vd/discover.log" "$out/vdirsyncer-discover.log" 2>/dev/null || true
cp "$slog" "$out/$(basename "$slog")" 2>/dev/null || true
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# --- summary ----------------------------------------------------------------------------------
vi=$(median "$out/vdirsyncer-initial.times" 2>/dev/null || true)
vr=$(median "$out/vdirsyncer-resync.times" 2>/dev/null || true)
si=$(median "$out/satu-initial.times" 2>/dev/null || true)
sr=$(median "$out/satu-resync.times" 2>/dev/null || true)
# A ratio counts only when Satu stored the N events; while they cannot be counted it is marked
# unverified, and when Satu stored a different number it is not comparable.
if [ -z "$satu_events" ]; then
  verdict_note=" (unverified: Satu's events not counted)"
elif [ "$satu_events" -ne "$n" ]; then
  verdict_note=" (not comparable: Satu stored $satu_events of $n events)"
else
  verdict_note=""
fi
ratio() { # satu vdirsyncer (medians, s) -> "0.423 PASS" / "n/a"
  if [ -n "$1" ] && [ -n "$2" ]; then
    awk -v s="$1" -v v="$2" -v note="$verdict_note" 'BEGIN { r = s / v; printf "%.3f %s%s", r, (r <= 0.5 ? "PASS" : "FAIL"), note }'
  else
    echo "n/a"
  fi
}
cell() { [ -n "$1" ] && echo "$1 ($(runs "$2"))" || echo "n/a"; }
cpu_of() { # hyperfine JSON -> the mean user + system time of the client, s
  [ -f "$1" ] && python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["user"] + r["system"]))' "$1" 2>/dev/null || echo "n/a"
}
elapsed=$(( $(date +%s) - script_start ))
{
  echo "### CalDAV: initial sync and resync of $n events, Satu vs vdirsyncer$([ "$server" = radicale ] || echo " on $server_name")"
  echo
  echo "$(sed -n 's/^date: //p' "$out/machine.txt"); $(nproc) cores ($cpu), $(uname -r); $(sed -n 's/^storage: //p' "$out/machine.txt")."
  echo "$server_name $(sed -n "s/^$server: //p" "$out/machine.txt") on 127.0.0.1 over plain HTTP ($server_note); $(sed -n 's/^timer: //p' "$out/machine.txt")."
  echo "$server_name was warmed before timing either client (one PROPFIND Depth 1, $served items listed, cold ${cold_propfind} s;"
  echo "one sync-collection without a token, cold ${cold_sync} s). The server alone, warm: PROPFIND Depth 1 ${warm_propfind} s,"
  echo "no-change sync-collection ${warm_sync} s${floor_note} (curl)."
  echo
  echo "| client | initial sync, s (runs) | resync, s (runs) | client CPU, s (initial / resync) | $server_name's time per run (initial / resync) | stored |"
  echo "|---|---|---|---|---|---|"
  if [ -z "${SKIP_VDIRSYNCER:-}" ]; then
    echo "| vdirsyncer $(vdirsyncer --version 2>/dev/null | sed 's/.*version //') | $(cell "$vi" "$out/vdirsyncer-initial.times") | $(cell "$vr" "$out/vdirsyncer-resync.times") | $(cpu_of "$out/vdirsyncer-initial.json") / $(cpu_of "$out/vdirsyncer-resync.json") | $(server_time vdirsyncer-initial) / $(server_time vdirsyncer-resync) | $(if [ -n "$vdir_error" ]; then echo "sync failed: $vdir_error"; else echo "${vdir_files:-?} .ics files$([ -n "$vdir_ok" ] || echo " (expected $n)")"; fi) |"
  fi
  if [ -n "$satu" ]; then
    echo "| satu ($(basename "$(dirname "$satu")") build) | $(cell "$si" "$out/satu-initial.times") | $(cell "$sr" "$out/satu-resync.times") | $(cpu_of "$out/satu-initial.json") / $(cpu_of "$out/satu-resync.json") | $(server_time satu-initial) / $(server_time satu-resync) | $satu_note |"
  fi
  if [ -n "$floor_ok" ]; then
    for order in token-first sync-first sync-data; do
      echo "| the server's floor, $order (curl, nothing parsed) | $(cell "$(median "$out/floor-$order.times")" "$out/floor-$order.times") | | $(cpu_of "$out/floor-$order.json") | $(server_time "floor-$order") | $n items fetched |"
    done
  fi
  echo "| **satu / vdirsyncer** (goal ≤ 0.5) | **$(ratio "$(median "$out/satu-initial.times" 3)" "$(median "$out/vdirsyncer-initial.times" 3)")** | **$(ratio "$(median "$out/satu-resync.times" 3)" "$(median "$out/vdirsyncer-resync.times" 3)")** | | | |"
  if [ -n "$floor_ok" ] && [ -n "$vi" ]; then
    ff=$(for order in token-first sync-first sync-data; do median "$out/floor-$order.times"; echo; done | sort -g | head -n1)
    echo "| floor / vdirsyncer, initial | **$(awk -v f="$ff" -v v="$vi" 'BEGIN { printf "%.2f", f / v }')** (the lower floor, $ff s) | | | | |"
  fi
  if [ -n "$satu_rss_mb" ]; then
    echo
    echo "Satu's peak RSS during an initial sync: **${satu_rss_mb} MB** (GNU time; #20's goal at 100 000 events: ≤ 150 MB)."
  fi
  echo
  echo "N=$n; whole script: ${elapsed} s; raw results: $out"
} | tee "$out/summary.md"
# A client that failed to sync fails the run (an event count that is not available yet does not).
failed=""
if [ -z "${SKIP_VDIRSYNCER:-}" ] && { [ -z "$vdir_ok" ] || [ -n "$vdir_error" ]; }; then failed+=" vdirsyncer"; fi
[ -z "$satu" ] || [ -n "$satu_ok" ] || failed+=" satu"
[ -z "$failed" ] || { echo "caldav.sh: failed:$failed" >&2; exit 1; }
