#!/usr/bin/env bash
# Self-test of the CalDAV test pieces: starts radicale.sh and xandikos.sh in temporary dirs, runs
# every caldav_peer.sh command against each (discovery, calendars, put, list, get, edit with the
# right and with a stale ETag, delete, sync with and without a token, a bad token), restarts each
# server to check that the data persists, stops them. Ends with "caldav selftest: ok" (exit 0), or
# the first failed check on stderr (exit 1).
#
#   tests/servers/caldav_selftest.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
PEER=$HERE/caldav_peer.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/satu-caldav-selftest.XXXXXX")
STARTED=()

cleanup() {
  local rc=$? s
  for s in "${STARTED[@]}"; do
    "$HERE/$s.sh" stop "$WORK/$s" >/dev/null 2>&1 || true
  done
  if [ $rc -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "caldav selftest: FAILED (files kept in $WORK)" >&2
  fi
}
trap cleanup EXIT

fail() { echo "caldav selftest: $SERVER: $*" >&2; exit 1; }

# js JSON PYTHON-EXPRESSION [ARG...]: the expression evaluated with `j` = the parsed JSON and
# `a` = the ARGs (strings), printed (a str as is, anything else as JSON).
js() {
  python3 -c 'import json, sys
j = json.loads(sys.argv[1])
a = sys.argv[3:]
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$@"
}

# check JSON EXPR DESCRIPTION [ARG...]: EXPR (Python: `j` = the parsed JSON, `a` = the ARGs) must
# be true.
check() {
  local json=$1 expr=$2 what=$3
  shift 3
  [ "$(js "$json" "bool($expr)" "$@")" = true ] || fail "$what: expected $expr (a = $*), got $json"
}

# peer ARGS...: runs the peer (stdout into OUT, exit code into RC, stderr into ERR).
peer() {
  RC=0
  OUT=$("$PEER" --url "$URL" --user alice --password alice-pass "$@" 2>"$WORK/peer.err") || RC=$?
  ERR=$(cat "$WORK/peer.err")
}

# ok ARGS...: the peer must succeed.
ok() {
  peer "$@"
  [ "$RC" -eq 0 ] || fail "caldav_peer.sh $* exited $RC: $ERR"
}

# refused CODE ARGS...: the peer must exit with CODE ("any" = any non-zero) and say why.
refused() {
  local want=$1
  shift
  peer "$@"
  if [ "$want" = any ]; then
    [ "$RC" -ne 0 ] || fail "caldav_peer.sh $* should have failed, printed $OUT"
  else
    [ "$RC" -eq "$want" ] || fail "caldav_peer.sh $* exited $RC (expected $want): $ERR"
  fi
  [ -n "$ERR" ] || fail "caldav_peer.sh $* failed without a message"
}

ics() { # ics FILE COMPONENT UID SUMMARY [EXTRA-LINE]: a one-object iCalendar file, CRLF
  local file=$1 comp=$2 uid=$3 summary=$4 extra=${5:-}
  {
    printf '%s\r\n' BEGIN:VCALENDAR VERSION:2.0 "PRODID:-//Satu tests//caldav_selftest//EN" \
      "BEGIN:$comp" "UID:$uid" DTSTAMP:20260101T000000Z "SUMMARY:$summary"
    if [ "$comp" = VEVENT ]; then
      printf '%s\r\n' DTSTART:20270104T100000Z DTEND:20270104T110000Z
    else
      printf '%s\r\n' STATUS:NEEDS-ACTION DUE:20270101T090000Z
    fi
    [ -z "$extra" ] || printf '%s\r\n' "$extra"
    printf '%s\r\n' "END:$comp" END:VCALENDAR
  } >"$file"
}

env_value() { # env_value LINE KEY
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

run_server() { # run_server NAME: every check against radicale.sh or xandikos.sh
  SERVER=$1
  local dir=$WORK/$SERVER line cal tasks root port
  line=$("$HERE/$SERVER.sh" start "$dir") || fail "$SERVER.sh start failed"
  STARTED+=("$SERVER")
  [ "$(wc -l <<<"$line")" -eq 1 ] || fail "start printed more than one line: $line"
  [ "$(cat "$dir/env")" = "$line" ] || fail "DIR/env differs from the printed line"
  "$HERE/$SERVER.sh" status "$dir" || fail "status says it does not run"
  if [ "$SERVER" = radicale ]; then
    URL=$(env_value "$line" RADICALE_URL)
    port=$(env_value "$line" RADICALE_PORT)
    cal=/alice/calendar/
    tasks=/alice/tasks/
  else
    URL=$(env_value "$line" XANDIKOS_URL)
    port=$(env_value "$line" XANDIKOS_PORT)
    cal=$(env_value "$line" XANDIKOS_CALENDAR)
    tasks=$(env_value "$line" XANDIKOS_TASKS)
    [ "$cal" = /alice/calendars/calendar/ ] && [ "$tasks" = /alice/calendars/tasks/ ] \
      && [ "$(env_value "$line" XANDIKOS_PRINCIPAL)" = /alice/ ] \
      && [ "$(env_value "$line" XANDIKOS_HOME)" = /alice/calendars/ ] \
      && [ "$URL" = "http://127.0.0.1:$port/" ] && [ -n "$(env_value "$line" XANDIKOS_PID)" ] \
      || fail "unexpected env line: $line"
  fi
  root=${URL%/}

  # Discovery: /.well-known/caldav redirects to the root, where it starts.
  local redirect
  redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$root/.well-known/caldav")
  [[ "$redirect" =~ ^30[1278]\ $root/$ ]] || fail "/.well-known/caldav: $redirect"
  # ... to the principal, its calendar-home-set and both collections (the peer does that).
  ok calendars
  check "$OUT" "len(j) == 2" calendars
  check "$OUT" "sorted(c['name'] for c in j) == ['Calendar', 'Tasks']" calendars
  check "$OUT" "{c['name']: c['url'] for c in j} == {'Calendar': a[0], 'Tasks': a[1]}" calendars "$root$cal" "$root$tasks"
  if [ "$SERVER" = radicale ]; then
    check "$OUT" "{c['name']: c['components'] for c in j} == {'Calendar': ['VEVENT'], 'Tasks': ['VTODO']}" components
  else # Xandikos 0.2.8 claims every component for every calendar
    check "$OUT" "all({'VEVENT', 'VTODO'} <= set(c['components']) for c in j)" components
  fi
  local c reports
  for c in "$cal" "$tasks"; do
    reports=$(curl -sS -u alice:alice-pass -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml; charset=utf-8' \
      --data '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><supported-report-set/></prop></propfind>' \
      "$root$c") || fail "PROPFIND $c failed"
    [[ "$reports" == *sync-collection* ]] || fail "$c: no sync-collection in supported-report-set: $reports"
  done

  # An empty task list, then a first sync.
  ok list "$tasks"
  check "$OUT" "j == []" "list of the empty task list"
  ok sync "$tasks"
  check "$OUT" "j['changed'] == [] and j['removed'] == [] and j['token']" "first sync"
  local t0
  t0=$(js "$OUT" "j['token']")

  # put: creates.
  ics "$WORK/todo1.ics" VTODO todo-1@satu.test "Write the report"
  ics "$WORK/todo2.ics" VTODO todo-2@satu.test "Book the room"
  ics "$WORK/event1.ics" VEVENT event-1@satu.test "Planning"
  ok put "$tasks" "$WORK/todo1.ics"
  local href1 etag1 put1=$OUT
  href1=$(js "$OUT" "j['href']")
  etag1=$(js "$OUT" "j['etag']")
  [[ "$href1" == "$tasks"*.ics ]] || fail "put: href $href1"
  [ -n "$etag1" ] || fail "put: no etag"
  ok put "$cal" "$WORK/event1.ics"
  ok list "$cal"
  check "$OUT" "len(j) == 1 and j[0]['component'] == 'VEVENT' and j[0]['uid'] == 'event-1@satu.test' and j[0]['summary'] == 'Planning'" "list of the calendar"

  # list and get.
  ok list "$tasks"
  check "$OUT" "len(j) == 1" "list after put"
  check "$OUT" "[{'href': o['href'], 'etag': o['etag']} for o in j] == [json.loads(a[0])]" "list: href and etag as put" "$put1"
  check "$OUT" "j[0]['uid'] == 'todo-1@satu.test' and j[0]['component'] == 'VTODO' and j[0]['summary'] == 'Write the report'" "list: the object"
  check "$OUT" "'BEGIN:VTODO' in j[0]['ics'] and 'UID:todo-1@satu.test' in j[0]['ics']" "list: ics"
  local listed=$OUT
  ok get "$tasks" todo-1@satu.test
  check "$OUT" "[j] == json.loads(a[0])" "get = the listed object" "$listed"
  refused 3 get "$tasks" no-such-uid@satu.test

  # sync since the empty state.
  ok sync "$tasks" "$t0"
  check "$OUT" "j['changed'] == [a[0]] and j['removed'] == []" "sync after put" "$href1"
  local t1
  t1=$(js "$OUT" "j['token']")
  [ "$t1" != "$t0" ] || fail "the sync token did not change after a put"

  # edit, with the ETag it read.
  ok edit "$tasks" todo-1@satu.test "SUMMARY=Write the final report" STATUS=COMPLETED DUE=20270105T090000Z
  local etag2
  etag2=$(js "$OUT" "j['etag']")
  check "$OUT" "j['href'] == a[0] and j['etag'] and j['etag'] != a[1]" "edit: a new etag" "$href1" "$etag1"
  ok get "$tasks" todo-1@satu.test
  check "$OUT" "j['summary'] == 'Write the final report' and j['etag'] == a[0]" "get after edit" "$etag2"
  check "$OUT" "all(l in j['ics'].splitlines() for l in ['STATUS:COMPLETED', 'DUE:20270105T090000Z', 'SEQUENCE:1'])" "edit: properties"
  check "$OUT" "'LAST-MODIFIED:' in j['ics'] and 'DTSTAMP:20260101T000000Z' not in j['ics']" "edit: LAST-MODIFIED and DTSTAMP"
  # ... and with a stale one: 412, nothing changed.
  refused 4 edit --if-match "$etag1" "$tasks" todo-1@satu.test SUMMARY=stale
  [[ "$ERR" == *412* ]] || fail "a stale edit did not report the 412: $ERR"
  ok get "$tasks" todo-1@satu.test
  check "$OUT" "j['summary'] == 'Write the final report' and j['etag'] == a[0]" "a stale edit changed nothing" "$etag2"
  ok edit "$tasks" todo-1@satu.test SEQUENCE=7 DUE=
  ok get "$tasks" todo-1@satu.test
  check "$OUT" "'SEQUENCE:8' in j['ics'].splitlines() and 'DUE' not in j['ics']" "edit: SEQUENCE bumped from the value set, DUE= removes"
  refused 2 edit "$tasks" todo-1@satu.test NOT-AN-ASSIGNMENT
  refused 3 edit "$tasks" no-such-uid@satu.test SUMMARY=x

  # sync after the edits.
  ok sync "$tasks" "$t1"
  check "$OUT" "j['changed'] == [a[0]] and j['removed'] == []" "sync after edit" "$href1"

  # put: replaces by UID (same href), and a second object.
  ics "$WORK/todo1b.ics" VTODO todo-1@satu.test "Write the report again" "SEQUENCE:9"
  ok put "$tasks" "$WORK/todo1b.ics"
  check "$OUT" "j['href'] == a[0]" "put replaces at the same href" "$href1"
  ok get "$tasks" todo-1@satu.test
  check "$OUT" "j['summary'] == 'Write the report again'" "get after the replacing put"
  ok put "$tasks" "$WORK/todo2.ics"
  local href2
  href2=$(js "$OUT" "j['href']")
  [ "$href2" != "$href1" ] || fail "two UIDs, one href"
  ok list "$tasks"
  check "$OUT" "sorted(o['uid'] for o in j) == ['todo-1@satu.test', 'todo-2@satu.test']" "list of two"

  # delete.
  ok delete "$tasks" todo-1@satu.test
  check "$OUT" "j['href'] == a[0]" delete "$href1"
  refused 3 get "$tasks" todo-1@satu.test
  refused 3 delete "$tasks" todo-1@satu.test
  ok list "$tasks"
  check "$OUT" "[o['uid'] for o in j] == ['todo-2@satu.test']" "list after delete"

  # sync since before the first put, and since after it.
  ok sync "$tasks" "$t1"
  check "$OUT" "j['changed'] == [a[0]] and j['removed'] == [a[1]]" "sync after delete" "$href2" "$href1"
  local t2
  t2=$(js "$OUT" "j['token']")
  ok sync "$tasks" "$t2"
  check "$OUT" "j['changed'] == [] and j['removed'] == []" "sync with the newest token"
  ok sync "$tasks"
  check "$OUT" "j['changed'] == [a[0]] and j['token'] == a[1]" "sync without a token" "$href2" "$t2"
  if [ "$SERVER" = radicale ]; then # Radicale lists what was deleted earlier even then
    check "$OUT" "j['removed'] == [a[0]]" "sync without a token: removed" "$href1"
  else
    check "$OUT" "j['removed'] == []" "sync without a token: removed"
  fi
  # A token the server never gave: an error, never a silent full listing.
  if [ "$SERVER" = radicale ]; then
    refused 5 sync "$tasks" "http://radicale.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000"
  else # Xandikos 0.2.8 answers 500 to a token it does not know
    refused 1 sync "$tasks" 0000000000000000000000000000000000000000
    [[ "$ERR" == *500* ]] || fail "bad token: $ERR"
  fi
  refused 1 list "${tasks%/}-missing/"

  # Restart: same port, data kept.
  "$HERE/$SERVER.sh" stop "$dir"
  ! "$HERE/$SERVER.sh" status "$dir" || fail "status says it runs after stop"
  line=$("$HERE/$SERVER.sh" start "$dir") || fail "restart failed"
  [ "$(env_value "$line" "${SERVER^^}_PORT")" = "$port" ] || fail "restart on another port: $line"
  ok list "$tasks"
  check "$OUT" "[o['uid'] for o in j] == ['todo-2@satu.test']" "list after restart"
  ok sync "$tasks" "$t2"
  check "$OUT" "j['changed'] == [] and j['removed'] == []" "the token is still valid after a restart"
  ok list "$cal"
  check "$OUT" "len(j) == 1" "the calendar after restart"
  "$HERE/$SERVER.sh" stop "$dir"
  "$HERE/$SERVER.sh" stop "$dir" # twice is fine
}

"$PEER" venv
run_server radicale
run_server xandikos
echo "caldav selftest: ok"
