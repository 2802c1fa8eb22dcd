#!/usr/bin/env bash
# Satu's benchmarks against established peers, on the same data in the same run.
#
#   tests/bench/run.sh [--quick] [--sizes "10000 100000"] [--reps N] [--no-search]
#
#   --quick     10k messages only (initial sync, memory and search at 10k)
#   default     10k (3 repetitions) and 100k (1 repetition); search at 100k
#   --reps N    N repetitions at every size; --no-search: initial sync and memory only
#
# For each corpus size: a private Dovecot (tests/servers/dovecot.sh) is filled with the
# deterministic corpus of gen_corpus.py; then
#   * initial sync: `satu sync` (fresh data dir on /dev/shm, plain IMAP on 127.0.0.1), then
#     `satu index --wait` (the full-text index the app builds in the background), and `mbsync`
#     (fresh Maildir on /dev/shm), alternating which goes first, wall time and peak RSS
#     (/usr/bin/time) of each; one unmeasured mbsync warms Dovecot's caches first;
#   * first screen: from `satu account add` to the newest 50 INBOX messages in the timeline,
#     while `satu sync` goes on (goal ≤ 1 s at 100k);
#   * search (largest size): `search_bench` (crates/cli/examples, Satu::search in-process) and
#     notmuch (notmuch2 in-process, plus the `notmuch search` CLI) over the same messages (the
#     Maildir mbsync downloaded), queries from queries.txt, interleaved in rounds.
# Raw numbers go to $BENCH_OUT (default tests/bench/out/<timestamp>/); a Markdown summary is
# printed at the end and written to $BENCH_OUT/summary.md.
#
# Environment: CARGO_TARGET_DIR (default the repository's target/), BENCH_TMP (default /dev/shm),
# SEARCH_ITERATIONS (default 30 per round), SEARCH_ROUNDS (default 3), SATU_BENCH_NO_BUILD=1.
set -euo pipefail

# The account password lives in the OS keyring: give the run its own kernel session keyring.
if [ -z "${SATU_BENCH_IN_KEYCTL:-}" ] && command -v keyctl >/dev/null; then
  export SATU_BENCH_IN_KEYCTL=1
  exec keyctl session - "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
quick=""
sizes=""
reps=""
no_search=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --sizes) sizes=$2; shift ;;
    --reps) reps=$2; shift ;;
    --no-search) no_search=1 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$sizes" ] || { if [ -n "$quick" ]; then sizes="10000"; else sizes="10000 100000"; fi; }

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
tmp_root=${BENCH_TMP:-/dev/shm}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/$stamp}
mkdir -p "$out"
work=$(mktemp -d "$tmp_root/satu-bench.XXXXXX")
chmod 711 "$work" # Dovecot serves mail as nobody when run as root
search_iterations=${SEARCH_ITERATIONS:-30}
search_rounds=${SEARCH_ROUNDS:-3}

# The peers and tools (Debian packages), and the test servers' own dependencies.
source "$repo/scripts/lib.sh"
ensure_apt isync notmuch python3-notmuch2 time bc
bash "$repo/tests/servers/install.sh"

dovecot_dirs=()
cleanup() {
  for d in "${dovecot_dirs[@]}"; do "$repo/tests/servers/dovecot.sh" stop "$d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  log "building satu and search_bench (release)"
  (cd "$repo" && cargo build --release -q -p satu-cli --bin satu --example search_bench)
fi
satu_bin=$CARGO_TARGET_DIR/release/satu
search_bin=$CARGO_TARGET_DIR/release/examples/search_bench

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "tmpfs: $(df -h "$tmp_root" | awk 'NR==2 {print $1, $2}') at $tmp_root"
  echo "dovecot: $(dovecot --version)"
  echo "mbsync: $(mbsync --version)"
  echo "notmuch: $(notmuch --version)"
  echo "satu: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- crates || echo '+dirty')"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

# Runs a command under /usr/bin/time: appends "tool size rep wall_s maxrss_kb cpu_s" to
# sync.tsv (cpu = user + system time of the client alone, not the server's).
measure() {
  local tool=$1 size=$2 rep=$3; shift 3
  local tf="$work/time.$tool"
  /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@"
  read -r wall rss user sys <"$tf"
  cpu=$(echo "$user + $sys" | bc)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$size" "$rep" "$wall" "$rss" "$cpu" >>"$out/sync.tsv"
  log "  $tool: ${wall}s (cpu ${cpu}s), peak RSS $((rss / 1024)) MB"
}

sync_satu() { # data_dir
  local data=$1
  rm -rf "$data"
  printf 'alice-pass\n' | "$satu_bin" --data-dir "$data" --json account add --email alice@localhost \
    --username alice --imap "127.0.0.1:$IMAP_PORT" --smtp "127.0.0.1:$IMAP_PORT" --security plain \
    --password-stdin >/dev/null
  measure satu "$size" "$rep" "$satu_bin" --data-dir "$data" --json sync >"$work/satu-sync.json"
  grep -q '"fetched"' "$work/satu-sync.json" || grep -q 'INBOX' "$work/satu-sync.json" \
    || { echo "run.sh: satu sync printed no report" >&2; cat "$work/satu-sync.json" >&2; exit 1; }
  # The full-text index, which the app and `satu watch` build in the background after the sync:
  # here waited for, and timed, on its own.
  measure satu-index "$size" "$rep" "$satu_bin" --data-dir "$data" --json index --wait >"$work/satu-index.json"
  grep -q '"pending": 0' "$work/satu-index.json" \
    || { echo "run.sh: satu index --wait left items" >&2; cat "$work/satu-index.json" >&2; exit 1; }
}

# The first screen: from `satu account add` to the newest 50 INBOX messages readable in the
# timeline (`satu timeline --view inbox --limit 50` answering 50 rows, asked every 25 ms) while
# `satu sync` goes on with the rest. Appends "satu-first size rep seconds" to first.tsv.
first_screen() { # data_dir
  local data=$1 t0 t1 rows sync_pid
  rm -rf "$data"
  t0=$(date +%s.%N)
  printf 'alice-pass\n' | "$satu_bin" --data-dir "$data" --json account add --email alice@localhost \
    --username alice --imap "127.0.0.1:$IMAP_PORT" --smtp "127.0.0.1:$IMAP_PORT" --security plain \
    --password-stdin >/dev/null
  "$satu_bin" --data-dir "$data" --json sync >/dev/null &
  sync_pid=$!
  while :; do
    rows=$("$satu_bin" --data-dir "$data" --json timeline --view inbox --limit 50 2>/dev/null \
      | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)
    [ "$rows" -ge 50 ] && break
    kill -0 "$sync_pid" 2>/dev/null || { echo "run.sh: the sync ended before 50 rows showed" >&2; exit 1; }
    sleep 0.025
  done
  t1=$(date +%s.%N)
  wait "$sync_pid"
  printf 'satu-first\t%s\t%s\t%s\n' "$size" "$rep" "$(echo "$t1 - $t0" | bc)" >>"$out/first.tsv"
  log "  first screen: $(echo "$t1 - $t0" | bc) s"
}

sync_mbsync() { # maildir
  local target=$1
  rm -rf "$target"
  mkdir -p "$target"
  cat >"$work/mbsyncrc" <<EOF
IMAPAccount bench
Host 127.0.0.1
Port $IMAP_PORT
User alice
Pass alice-pass
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path $target/
Inbox $target/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
EOF
  measure mbsync "$size" "$rep" mbsync -q -c "$work/mbsyncrc" bench 2> >(grep -v "Password is being sent in the clear" >&2)
}

printf 'tool\tsize\trep\twall_s\tmaxrss_kb\tcpu_s\n' >"$out/sync.tsv"
largest=${sizes##* }
for size in $sizes; do
  dir="$work/dovecot-$size"
  log "size $size: starting Dovecot in $dir"
  env_line=$("$repo/tests/servers/dovecot.sh" start "$dir" 2>"$work/dovecot-start.log")
  dovecot_dirs+=("$dir")
  eval "$env_line"
  maildir="$dir/home/alice/Maildir"
  t0=$(date +%s.%N)
  /usr/bin/python3 "$here/gen_corpus.py" --count "$size" --maildir "$maildir" 2> >(tee -a "$out/corpus.txt" >&2)
  if [ "$(id -u)" -eq 0 ]; then chown -R nobody:"$(id -gn nobody)" "$dir/home"; fi
  doveadm -c "$DOVECOT_CONF" index -u alice INBOX
  t1=$(date +%s.%N)
  log "size $size: corpus generated and indexed by Dovecot in $(echo "$t1 - $t0" | bc) s"
  echo "size $size: $(du -sh "$maildir/cur" | cut -f1) on the server; generated + doveadm index in $(echo "$t1 - $t0" | bc) s" >>"$out/corpus.txt"

  log "size $size: warm-up (mbsync, not measured)"
  rep=0
  mbsync_target="$work/mbsync-$size"
  sync_mbsync "$mbsync_target" 2>/dev/null
  sed -i '$d' "$out/sync.tsv" # the warm-up is not a result

  n=${reps:-$([ "$size" -le 20000 ] && echo 3 || echo 1)}
  for rep in $(seq 1 "$n"); do
    log "size $size: repetition $rep/$n"
    if [ $((rep % 2)) -eq 1 ]; then
      sync_satu "$work/satu-$size"; sync_mbsync "$mbsync_target"
    else
      sync_mbsync "$mbsync_target"; sync_satu "$work/satu-$size"
    fi
  done
  for rep in $(seq 1 "$n"); do
    log "size $size: first screen $rep/$n"
    first_screen "$work/satu-$size"
  done
  cp "$work/satu-sync.json" "$out/satu-sync-$size.json"
  du -sk "$work/satu-$size" | awk -v s="$size" '{print "satu data dir at " s ": " $1 " KB"}' >>"$out/corpus.txt"
  du -sk "$mbsync_target" | awk -v s="$size" '{print "mbsync Maildir at " s ": " $1 " KB"}' >>"$out/corpus.txt"

  if [ "$size" = "$largest" ] && [ -z "$no_search" ]; then
    log "size $size: notmuch new over mbsync's Maildir"
    cat >"$work/notmuch-config" <<EOF
[database]
path=$mbsync_target
[user]
name=Alice
primary_email=alice@localhost
[new]
tags=unread;inbox;
[search]
exclude_tags=
[maildir]
synchronize_flags=false
EOF
    t0=$(date +%s.%N)
    NOTMUCH_CONFIG="$work/notmuch-config" notmuch new --quiet 2> >(grep -v "Ignoring non-mail file" >&2)
    t1=$(date +%s.%N)
    echo "notmuch new at $size: $(echo "$t1 - $t0" | bc) s" | tee -a "$out/corpus.txt" >&2
    : >"$out/search-satu.jsonl"
    : >"$out/search-notmuch.jsonl"
    for round in $(seq 1 "$search_rounds"); do
      log "search round $round/$search_rounds"
      "$search_bin" "$work/satu-$size" "$here/queries.txt" "$search_iterations" 50 >>"$out/search-satu.jsonl"
      /usr/bin/python3 "$here/notmuch_search.py" "$work/notmuch-config" "$here/queries.txt" \
        "$search_iterations" 3 >>"$out/search-notmuch.jsonl"
    done
    echo "$size" >"$out/search-size.txt"
  fi
  rm -rf "$work/satu-$size"
  [ "$size" = "$largest" ] || rm -rf "$mbsync_target"
  "$repo/tests/servers/dovecot.sh" stop "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

/usr/bin/python3 "$here/summarize.py" "$out" | tee "$out/summary.md"
log "raw results in $out"
