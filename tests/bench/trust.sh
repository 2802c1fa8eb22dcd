#!/usr/bin/env bash
# What the sender checks (issue #23) cost the initial sync: N recent messages (gen_corpus.py
# --days 13, so every one of them is checked on arrival) on the project's Dovecot, a local DNS
# server (tests/servers/discovery.sh) publishing SPF and DMARC for the corpus's domains, and
# Satu synced twice from an empty data dir each way:
#
#   * `satu watch` (the app's live sync: the checks run beside it): the time until every message
#     is stored, with DNS off (SATU_DNS_SERVER=none: no checks) and on. Goal: on ≤ 1.10 × off.
#   * `satu sync` (the checks run after the pass, before it returns): the whole command off and
#     on; the difference is the checks' time, and their rate.
#
#   tests/bench/trust.sh [--count 10000] [--reps 3]
#
# Prints a Markdown summary; raw output in $BENCH_OUT (default tests/bench/out/trust-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
count=10000
reps=3
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --reps) reps=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "trust.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "${SATU_BENCH_IN_KEYCTL:-}" ]; then
  export SATU_BENCH_IN_KEYCTL=1
  exec keyctl session - "$0" --count "$count" --reps "$reps"
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
export SATU_KEYRING=keyutils
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/trust-$stamp}
mkdir -p "$out"
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/satu-trust.XXXXXX")
chmod 711 "$work"
dovecot_dir="$work/dovecot"
world="$work/world"
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  "$repo/tests/servers/dovecot.sh" stop "$dovecot_dir" >/dev/null 2>&1 || true
  [ -d "$world" ] && "$repo/tests/servers/discovery.sh" stop "$world" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  log "building satu (release)"
  (cd "$repo" && cargo build --release -q -p satu-cli --bin satu)
fi
satu="$CARGO_TARGET_DIR/release/satu"

log "Dovecot with $count messages of the last 13 days"
eval "$("$repo/tests/servers/dovecot.sh" start "$dovecot_dir" 2>"$work/dovecot-start.log")"
maildir="$dovecot_dir/home/alice/Maildir"
/usr/bin/python3 "$here/gen_corpus.py" --count "$count" --maildir "$maildir" --days 13 2>"$out/corpus.txt"
if [ "$(id -u)" -eq 0 ]; then chown -R nobody:"$(id -gn nobody)" "$dovecot_dir/home"; fi
doveadm -c "$DOVECOT_CONF" index -u alice INBOX

log "a DNS server with SPF and DMARC for the corpus's domains"
mkdir -p "$world"
# In their A-label form (the corpus has a Thai domain).
domains=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import gen_corpus as g; print(" ".join(d.encode("idna").decode() for d in g.DOMAINS))' "$here")
{
  for d in $domains; do
    printf '%s. 300 IN TXT "v=spf1 ip4:192.0.2.0/25 -all"\n' "$d"
    printf '_dmarc.%s. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@%s"\n' "$d" "$d"
  done
} >"$world/zone.txt"
eval "$("$repo/tests/servers/discovery.sh" start "$world" 2>"$work/world-start.log")"
dns="127.0.0.1:$DNS_PORT"

fresh() { # data dir with alice's account
  rm -rf "$1"
  printf 'alice-pass\n' | SATU_DNS_SERVER=none "$satu" --data-dir "$1" --json account add --email alice@localhost \
    --username alice --imap "127.0.0.1:$IMAP_PORT" --smtp "127.0.0.1:$IMAP_PORT" --security plain \
    --password-stdin >/dev/null
}
stored() { sqlite3 "$1/satu.db" "SELECT count(*) FROM items WHERE kind = 'mail'" 2>/dev/null || echo 0; }
checked() { sqlite3 "$1/satu.db" "SELECT count(*) FROM sender_checks" 2>/dev/null || echo 0; }

watch_until_stored() { # dns → seconds until every message is stored (checks done then on stdout too)
  local data="$work/data" t0
  fresh "$data"
  t0=$(now)
  SATU_DNS_SERVER=$1 "$satu" --data-dir "$data" watch >/dev/null 2>"$out/watch-$1.log" &
  watch_pid=$!
  while [ "$(stored "$data")" -lt "$count" ]; do sleep 0.2; done
  local took
  took=$(since "$t0")
  local done_then
  done_then=$(checked "$data")
  kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true; watch_pid=""
  echo "$took $done_then"
}

sync_once() { # dns → "seconds checks": the whole command, the checks it made after its pass
  local data="$work/data" t0
  fresh "$data"
  t0=$(now)
  SATU_DNS_SERVER=$1 "$satu" --data-dir "$data" --json sync >"$out/sync-$1.json"
  echo "$(since "$t0") $(checked "$data")"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

log "satu watch: DNS off and on, $reps runs each"
: >"$out/watch.txt"
for _ in $(seq "$reps"); do
  echo "off $(watch_until_stored none)" >>"$out/watch.txt"
  echo "on $(watch_until_stored "$dns")" >>"$out/watch.txt"
done
log "satu sync: DNS off and on"
: >"$out/sync.txt"
for _ in $(seq "$reps"); do
  echo "off $(sync_once none)" >>"$out/sync.txt"
  echo "on $(sync_once "$dns")" >>"$out/sync.txt"
done

w_off=$(awk '$1 == "off" { print $2 }' "$out/watch.txt" | median)
w_on=$(awk '$1 == "on" { print $2 }' "$out/watch.txt" | median)
w_checked=$(awk '$1 == "on" { print $3 }' "$out/watch.txt" | median)
s_off=$(awk '$1 == "off" { print $2 }' "$out/sync.txt" | median)
s_on_total=$(awk '$1 == "on" { print $2 }' "$out/sync.txt" | median)
s_checks=$(awk '$1 == "on" { print $3 }' "$out/sync.txt" | median)
ratio=$(echo "scale=3; $w_on / $w_off" | bc)
check_s=$(echo "$s_on_total - $s_off" | bc)
{
  echo "| $count recent messages, median of $reps | DNS off (no checks) | DNS on (checks) | ratio |"
  echo "|---|---|---|---|"
  printf '| `satu watch`: every message stored | %.1f s | %.1f s (%s checked by then) | **%s×** (goal ≤ 1.10) |\n' "$w_off" "$w_on" "$w_checked" "$ratio"
  printf '| `satu sync`: the whole command | %.1f s | %.1f s (%s checks after the pass) | checks %.1f s, %.0f/s |\n' \
    "$s_off" "$s_on_total" "$s_checks" "$check_s" "$(echo "$s_checks / ($check_s + 0.001)" | bc -l)"
} | tee "$out/summary.md"
