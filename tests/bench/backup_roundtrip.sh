#!/usr/bin/env bash
# The backup round trip at scale (issue #22): mail, chat, tasks and events together, against the
# project's Dovecot, Radicale and Synapse on loopback:
#
#   1. a mailbox of N messages (gen_corpus.py) on Dovecot, E events (gen_events.py) and T tasks
#      (gen_tasks.py) on Radicale, C chat messages in rooms of 50 on Synapse (gen_chat.py); one
#      data dir with the three accounts, synced by `satu sync`;
#   2. `satu watch` runs (IDLE, live sync of all three) while `satu backup create` makes a
#      backup, and a second backup is killed with SIGKILL half-way: the first stays valid,
#      nothing is left under the second's name;
#   3. the backup is restored into a new data dir: the timeline, a search, the Inbox, the chats,
#      `task list` and `calendar events` answer the same there as in the original;
#   4. M messages, one event, one task and one chat message arrive on the servers; `satu sync`
#      in the restored store fetches exactly those (it resumed from the stored UIDVALIDITY/
#      UIDNEXT/MODSEQ, CalDAV sync tokens and Matrix `since`): the FETCHes in Dovecot's log and
#      the REPORT/GET requests in Radicale's log are counted, and nothing is duplicated.
#
#   tests/bench/backup_roundtrip.sh [--count 90000] [--events 5000] [--tasks 3000] [--chat 2000]
#                                   [--new 25]
#
# The defaults make 100k items. Prints what it checked and the times; exits non-zero on any
# mismatch. Raw output in $BENCH_OUT (default tests/bench/out/backup-roundtrip-<stamp>/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
count=90000
events=5000
tasks=3000
chat=2000
new=25
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --events) events=$2; shift ;;
    --tasks) tasks=$2; shift ;;
    --chat) chat=$2; shift ;;
    --new) new=$2; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
rad="$work/radicale"
syn="$work/synapse"
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  "$repo/tests/servers/dovecot.sh" stop "$dovecot_dir" >/dev/null 2>&1 || true
  [ -d "$rad" ] && "$repo/tests/servers/radicale.sh" stop "$rad" >/dev/null 2>&1 || true
  [ -d "$syn" ] && "$repo/tests/servers/synapse.sh" stop "$syn" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fail() { echo "backup_roundtrip.sh: FAILED: $*" | tee -a "$out/summary.txt" >&2; exit 1; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
jq_py() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2"; }

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

log "Radicale with $events events and $tasks tasks (written into its collections, then started)"
"$repo/tests/servers/radicale.sh" start "$rad" >/dev/null 2>"$work/radicale-start.log"
"$repo/tests/servers/radicale.sh" stop "$rad" >/dev/null 2>&1
/usr/bin/python3 "$here/gen_events.py" "$events" "$rad/collections/collection-root/alice/calendar" 2>/dev/null
/usr/bin/python3 "$here/gen_tasks.py" "$tasks" "$rad/collections/collection-root/alice/tasks" 2>/dev/null
# Radicale's limit of VEVENTs per REPORT answer (see caldav.sh), raised as for vdirsyncer there.
export RADICALE_MAX_REPORT_VEVENTS=$(( events * 3 + 10000 ))
eval "$("$repo/tests/servers/radicale.sh" start "$rad" 2>>"$work/radicale-start.log")"

log "Synapse with $chat chat messages"
eval "$("$repo/tests/servers/synapse.sh" start "$syn" 2>"$work/synapse-start.log")"
/usr/bin/python3 "$here/gen_chat.py" "$SYNAPSE_URL" "$chat" 2>&1 | tee "$out/chat.txt" >&2

original="$work/original"
# Flagged mail becomes tasks in the CalDAV list by default (tasks.from_flagged): thousands of
# PUTs of the corpus's flagged mail, each O(collection) on Radicale, that measure Radicale, not
# the round trip. Off here; the round trip of queued changes is tests/backup.rs's.
"$satu" --data-dir "$original" settings set tasks.from_flagged false >/dev/null
printf 'alice-pass\n' | "$satu" --data-dir "$original" --json account add --email alice@localhost \
  --username alice --imap "127.0.0.1:$IMAP_PORT" --smtp "127.0.0.1:$IMAP_PORT" --security plain \
  --password-stdin >/dev/null
printf 'alice-pass\n' | "$satu" --data-dir "$original" --json account add-caldav --url "$RADICALE_URL" \
  --username alice --password-stdin >/dev/null
printf 'alice-pass\n' | "$satu" --data-dir "$original" --json account add-matrix --homeserver "$SYNAPSE_URL" \
  --user alice --password-stdin >/dev/null
t0=$(now)
"$satu" --data-dir "$original" --json sync >"$out/first-sync.json"
first_s=$(since "$t0")
count_items() { # data_dir kind: the items of that kind from the server of that kind (not the
  # tasks made here from flagged mail)
  local account=imap
  case "$2" in chat) account=matrix ;; task|event) account=caldav ;; esac
  sqlite3 "$1/satu.db" "SELECT count(*) FROM items WHERE kind = '$2'
    AND account_id IN (SELECT id FROM accounts WHERE kind = '$account')"
}
n_mail=$(count_items "$original" mail)
n_chat=$(count_items "$original" chat)
n_task=$(count_items "$original" task)
n_event=$(count_items "$original" event)
log "first sync: $first_s s; $n_mail mail, $n_chat chat, $n_task tasks, $n_event events"
[ "$n_mail" = "$count" ] || fail "$n_mail mail items after the first sync, not $count"
[ "$n_chat" = "$chat" ] || fail "$n_chat chat items after the first sync, not $chat"
[ "$n_task" = "$tasks" ] || fail "$n_task tasks after the first sync, not $tasks"
[ "$n_event" = "$events" ] || fail "$n_event events after the first sync, not $events"

log "satu watch runs; a backup is made meanwhile"
"$satu" --data-dir "$original" --json watch >/dev/null 2>"$out/watch.log" &
watch_pid=$!
sleep 5
t0=$(now)
echo "$pass" | "$satu" --data-dir "$original" --json backup create --out "$work/one.backup" \
  --passphrase-stdin --with-secrets >"$out/backup.json"
backup_s=$(since "$t0")
log "backup while watching: $backup_s s, $(stat -c %s "$work/one.backup") bytes"

log "a second backup killed with SIGKILL half-way (once its file is being written)"
echo "$pass" | "$satu" --data-dir "$original" backup create --out "$work/two.backup" --passphrase-stdin >/dev/null 2>&1 &
killed=$!
for _ in $(seq 3000); do # at most 30 s
  [ -s "$work/two.backup.partial-$killed" ] && break
  kill -0 "$killed" 2>/dev/null || break
  sleep 0.01
done
kill -9 "$killed" 2>/dev/null || fail "the second backup ended before it could be killed (too few items?)"
wait "$killed" 2>/dev/null || true
[ -e "$work/two.backup" ] && fail "a file under the killed backup's name"
killed_at=$(stat -c %s "$work/two.backup.partial-$killed" 2>/dev/null || echo 0)
echo "$pass" | "$satu" backup verify "$work/one.backup" --passphrase-stdin >/dev/null \
  || fail "the first backup no longer verifies"
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true; watch_pid=""

answers() { # data_dir
  "$satu" --data-dir "$1" --json timeline --limit 500
  "$satu" --data-dir "$1" --json search "report" --local --limit 100
  "$satu" --data-dir "$1" --json timeline --view inbox --limit 50
  "$satu" --data-dir "$1" --json timeline --view chats --limit 200
  "$satu" --data-dir "$1" --json task list
  "$satu" --data-dir "$1" --json calendar events --from 2024-01-01 --to 2027-01-01
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

log "$new new messages, an event, a task and a chat message on the servers; the restored store syncs"
for i in $(seq "$new"); do
  printf 'From: Bob <bob@example.com>\r\nTo: alice@localhost\r\nSubject: After the backup %s\r\nMessage-ID: <after-%s@roundtrip>\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\n\r\nNew.\r\n' "$i" "$i" \
    | doveadm -c "$DOVECOT_CONF" save -u alice -m INBOX
done
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Satu bench//EN\r\nBEGIN:VEVENT\r\nUID:after-backup-event@roundtrip\r\nDTSTAMP:20261207T120000Z\r\nDTSTART:20261208T090000Z\r\nDTEND:20261208T100000Z\r\nSUMMARY:After the backup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
  | curl -fsS -u alice:alice-pass -X PUT -H 'Content-Type: text/calendar' --data-binary @- \
    "${RADICALE_URL%/}/alice/calendar/after-backup-event.ics" >/dev/null
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Satu bench//EN\r\nBEGIN:VTODO\r\nUID:after-backup-task@roundtrip\r\nDTSTAMP:20261207T120000Z\r\nSUMMARY:After the backup\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n' \
  | curl -fsS -u alice:alice-pass -X PUT -H 'Content-Type: text/calendar' --data-binary @- \
    "${RADICALE_URL%/}/alice/tasks/after-backup-task.ics" >/dev/null
/usr/bin/python3 "$here/gen_chat.py" "$SYNAPSE_URL" --one "Bench room 0" "After the backup"
radicale_before=$(wc -l <"$rad/radicale.log")
dovecot_before=$(wc -l <"$dovecot_dir/dovecot.log")
t0=$(now)
"$satu" --data-dir "$work/restored" --json sync >"$out/after-sync.json"
after_s=$(since "$t0")
tail -n +"$((radicale_before + 1))" "$rad/radicale.log" >"$out/radicale-after.log"
tail -n +"$((dovecot_before + 1))" "$dovecot_dir/dovecot.log" >"$out/dovecot-after.log"
reports=$(grep -c 'REPORT request' "$out/radicale-after.log" || true)
gets=$(grep -c 'GET request' "$out/radicale-after.log" || true)
# Dovecot's logout lines (tests/servers/dovecot.sh sets imap_logout_format): bodies fetched.
bodies=$(grep -o 'fetch_body_count=[0-9]*' "$out/dovecot-after.log" | awk -F= '{ n += $2 } END { print n + 0 }')
fetched=$(jq_py 'sum(r.get("fetched", 0) for r in d)' "$out/after-sync.json")
pulled_events=$(jq_py 'sum((r.get("events") or {}).get("pulled", 0) for r in d)' "$out/after-sync.json")
pulled_tasks=$(jq_py 'sum((r.get("tasks") or {}).get("pulled", 0) for r in d)' "$out/after-sync.json")
chat_new=$(jq_py 'sum((r.get("chat") or {}).get("messages", 0) for r in d)' "$out/after-sync.json")
[ "$fetched" = "$new" ] || fail "the restored store fetched $fetched messages, not the $new new ones"
[ "$bodies" = "$new" ] || fail "Dovecot sent $bodies message bodies, not the $new new ones (dovecot-after.log)"
[ "$pulled_events" = 1 ] || fail "the restored store pulled $pulled_events events, not the 1 new one"
[ "$pulled_tasks" = 1 ] || fail "the restored store pulled $pulled_tasks tasks, not the 1 new one"
[ "$chat_new" = 1 ] || fail "the restored store stored $chat_new chat messages, not the 1 new one"
items=$(count_items "$work/restored" mail)
on_server=$(doveadm -c "$DOVECOT_CONF" search -u alice mailbox INBOX all | wc -l)
[ "$items" = "$on_server" ] || fail "$items mail items for $on_server messages on the server"
[ "$(count_items "$work/restored" chat)" = "$((chat + 1))" ] || fail "chat items are not $chat + 1"
[ "$(count_items "$work/restored" task)" = "$((tasks + 1))" ] || fail "tasks are not $tasks + 1"
[ "$(count_items "$work/restored" event)" = "$((events + 1))" ] || fail "events are not $events + 1"

{
  echo "items: $count mail, $events events, $tasks tasks, $chat chat messages ($((count + events + tasks + chat)) in all); then $new mail, 1 event, 1 task, 1 chat message new"
  printf 'first sync %.1f s; backup while watch ran %.1f s (%s bytes); restore %.1f s; sync after restore %.1f s\n' \
    "$first_s" "$backup_s" "$(stat -c %s "$work/one.backup")" "$restore_s" "$after_s"
  echo "a backup killed with SIGKILL after writing $killed_at bytes left no file under its name; the first still verifies"
  echo "the restored store answers the timeline, a search, the Inbox, the chats, task list and calendar events the same"
  echo "after the restore the sync fetched $fetched messages (the $new new ones), pulled $pulled_events event, $pulled_tasks task and $chat_new chat message; Dovecot sent $bodies bodies; Radicale answered $reports REPORT and $gets GET requests"
  echo "no duplicates: $items mail items for $on_server messages on the server; chat, tasks and events each one more than before"
} | tee "$out/summary.txt"
