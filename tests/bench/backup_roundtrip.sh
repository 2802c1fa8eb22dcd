#!/usr/bin/env bash
# The backup round trip at scale (issue #22), against the project's Dovecot on loopback:
#
#   1. a mailbox of N messages (gen_corpus.py), synced by `satu sync`;
#   2. `satu watch` runs (IDLE, live sync) while `satu backup create` makes a backup, and a
#      second backup is killed with SIGKILL half-way: the first stays valid, nothing is left
#      under the second's name;
#   3. the backup is restored into a new data dir: the timeline, a search and the counts answer
#      the same there as in the original;
#   4. M messages arrive on the server; `satu sync` in the restored store fetches exactly those
#      M (it resumed from the stored UIDVALIDITY/UIDNEXT/MODSEQ) and duplicates nothing.
#
#   tests/bench/backup_roundtrip.sh [--count 100000] [--new 25]
#
# Prints what it checked and the times; exits non-zero on any mismatch. Raw output in
# $BENCH_OUT (default tests/bench/out/backup-roundtrip-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
count=100000
new=25
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --new) new=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "backup_roundtrip.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${BENCH_OUT:-$here/out/backup-roundtrip-$stamp}
mkdir -p "$out"
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/satu-roundtrip.XXXXXX")
chmod 711 "$work" # Dovecot serves mail as nobody when run as root
dovecot_dir="$work/dovecot"
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  "$repo/tests/servers/dovecot.sh" stop "$dovecot_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fail() { echo "backup_roundtrip.sh: FAILED: $*" | tee -a "$out/summary.txt" >&2; exit 1; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

if [ -z "${SATU_BENCH_NO_BUILD:-}" ]; then
  log "building satu (release)"
  (cd "$repo" && cargo build --release -q -p satu-cli --bin satu)
fi
satu="$CARGO_TARGET_DIR/release/satu"
export SATU_KEYRING=keyutils
pass="correct horse battery staple"

log "starting Dovecot and generating $count messages"
eval "$("$repo/tests/servers/dovecot.sh" start "$dovecot_dir" 2>"$work/dovecot-start.log")"
maildir="$dovecot_dir/home/alice/Maildir"
/usr/bin/python3 "$here/gen_corpus.py" --count "$count" --maildir "$maildir" 2>/dev/null
if [ "$(id -u)" -eq 0 ]; then chown -R nobody:"$(id -gn nobody)" "$dovecot_dir/home"; fi
doveadm -c "$DOVECOT_CONF" index -u alice INBOX

original="$work/original"
printf 'alice-pass\n' | "$satu" --data-dir "$original" --json account add --email alice@localhost \
  --username alice --imap "127.0.0.1:$IMAP_PORT" --smtp "127.0.0.1:$IMAP_PORT" --security plain \
  --password-stdin >/dev/null
t0=$(now)
"$satu" --data-dir "$original" --json sync >"$out/first-sync.json"
first_s=$(since "$t0")
log "first sync: $first_s s"

log "satu watch runs; a backup is made meanwhile"
"$satu" --data-dir "$original" --json watch >/dev/null 2>"$out/watch.log" &
watch_pid=$!
sleep 5
t0=$(now)
echo "$pass" | "$satu" --data-dir "$original" --json backup create --out "$work/one.backup" \
  --passphrase-stdin --with-secrets >"$out/backup.json"
backup_s=$(since "$t0")
log "backup while watching: $backup_s s, $(stat -c %s "$work/one.backup") bytes"

log "a second backup killed with SIGKILL after 1 s"
echo "$pass" | "$satu" --data-dir "$original" backup create --out "$work/two.backup" --passphrase-stdin >/dev/null 2>&1 &
killed=$!
sleep 1
kill -9 "$killed" 2>/dev/null || true
wait "$killed" 2>/dev/null || true
[ -e "$work/two.backup" ] && fail "a file under the killed backup's name"
echo "$pass" | "$satu" backup verify "$work/one.backup" --passphrase-stdin >/dev/null \
  || fail "the first backup no longer verifies"
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true; watch_pid=""

answers() { # data_dir
  "$satu" --data-dir "$1" --json timeline --limit 500
  "$satu" --data-dir "$1" --json search "report" --local --limit 100
  "$satu" --data-dir "$1" --json timeline --view inbox --limit 50
}
answers "$original" >"$out/answers-original.json"

log "restoring into a new data dir"
t0=$(now)
echo "$pass" | "$satu" --data-dir "$work/restored" --json backup restore "$work/one.backup" \
  --passphrase-stdin >"$out/restore.json"
restore_s=$(since "$t0")
answers "$work/restored" >"$out/answers-restored.json"
cmp -s "$out/answers-original.json" "$out/answers-restored.json" \
  || fail "the restored store answers differently (answers-*.json)"

log "$new new messages on the server; the restored store syncs"
for i in $(seq "$new"); do
  printf 'From: Bob <bob@example.com>\r\nTo: alice@localhost\r\nSubject: After the backup %s\r\nMessage-ID: <after-%s@roundtrip>\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\n\r\nNew.\r\n' "$i" "$i" \
    | doveadm -c "$DOVECOT_CONF" save -u alice -m INBOX
done
t0=$(now)
"$satu" --data-dir "$work/restored" --json sync >"$out/after-sync.json"
after_s=$(since "$t0")
fetched=$(/usr/bin/python3 -c 'import json,sys; print(sum(r.get("fetched", 0) for r in json.load(open(sys.argv[1]))))' "$out/after-sync.json")
[ "$fetched" = "$new" ] || fail "the restored store fetched $fetched messages, not the $new new ones"
items=$(sqlite3 "$work/restored/satu.db" "SELECT count(*) FROM items WHERE kind = 'mail'")
on_server=$(doveadm -c "$DOVECOT_CONF" search -u alice mailbox INBOX all | wc -l)
[ "$items" = "$on_server" ] || fail "$items mail items for $on_server messages on the server"

{
  echo "messages: $count, then $new new"
  printf 'first sync %.1f s; backup while watch ran %.1f s (%s bytes); restore %.1f s; sync after restore %.1f s\n' \
    "$first_s" "$backup_s" "$(stat -c %s "$work/one.backup")" "$restore_s" "$after_s"
  echo "a backup killed after 1 s left no file under its name; the first still verifies"
  echo "the restored store answers the timeline, a search and the Inbox the same"
  echo "after the restore the sync fetched $fetched messages (the $new new ones); $items items for $on_server messages"
} | tee "$out/summary.txt"
