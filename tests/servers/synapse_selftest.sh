#!/usr/bin/env bash
# Self-test of synapse.sh: starts an instance in a temporary dir, logs in as alice and bob with
# curl, alice makes a room and invites bob, bob joins, alice sends messages (a burst well past
# Synapse's stock rate limits; a repeated transaction id gives back the same event), bob sees them
# in a long-polling /sync and in /messages, then a restart (same port, data and access tokens
# kept) and a stop. Ends with "synapse selftest: ok" (exit 0), or the first failed check on stderr
# (exit 1). Timings (first start, restart, long-poll push) go to stderr.
#
#   tests/servers/synapse_selftest.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/satu-synapse-selftest.XXXXXX")
DIR=$WORK/synapse
STARTED=""

cleanup() {
  local rc=$?
  [ -z "$STARTED" ] || "$HERE/synapse.sh" stop "$DIR" >/dev/null 2>&1 || true
  if [ $rc -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "synapse selftest: FAILED (files kept in $WORK)" >&2
  fi
}
trap cleanup EXIT

fail() { echo "synapse selftest: $*" >&2; exit 1; }

# js JSON PYTHON-EXPRESSION [ARG...]: the expression evaluated with `j` = the parsed JSON and
# `a` = the ARGs (strings), printed (a str as is, anything else as JSON).
js() {
  python3 -c 'import json, sys, urllib.parse
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

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

now() { date +%s.%N; }
since() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.2f}")' "$1"; }

# api METHOD PATH TOKEN [BODY]: a client API call on URL (TOKEN "-" for none); the status into
# CODE, the answer into OUT.
api() {
  local method=$1 path=$2 token=$3 args=()
  [ "$token" = - ] || args+=(-H "Authorization: Bearer $token")
  [ $# -lt 4 ] || args+=(-H "Content-Type: application/json" --data "$4")
  OUT=$(curl --noproxy '*' -sS --max-time 60 -X "$method" "${args[@]}" -w '\n%{http_code}' "$URL$path") \
    || fail "$method $path: curl failed"
  CODE=${OUT##*$'\n'}
  OUT=${OUT%$'\n'*}
}

# ok METHOD PATH TOKEN [BODY]: the call must answer 200.
ok() {
  api "$@"
  [ "$CODE" = 200 ] || fail "$1 $2: $CODE $OUT"
}

login() { # login USER PASSWORD: prints the access token
  ok POST /_matrix/client/v3/login - "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$1\"},\"password\":\"$2\"}"
  check "$OUT" "j['user_id'] == a[0] and j['access_token'] and j['device_id']" "login $1" "@$1:localhost"
  js "$OUT" "j['access_token']"
}

env_value() { # env_value LINE KEY
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

"$HERE/synapse.sh" venv

# Start: one line, the same in DIR/env.
t=$(now)
line=$("$HERE/synapse.sh" start "$DIR") || fail "synapse.sh start failed"
STARTED=1
echo "synapse selftest: first start of a new DIR took $(since "$t") s" >&2
[ "$(wc -l <<<"$line")" -eq 1 ] || fail "start printed more than one line: $line"
[ "$(cat "$DIR/env")" = "$line" ] || fail "DIR/env differs from the printed line"
"$HERE/synapse.sh" status "$DIR" || fail "status says it does not run"
URL=$(env_value "$line" SYNAPSE_URL)
PORT=$(env_value "$line" SYNAPSE_PORT)
[ "$URL" = "http://127.0.0.1:$PORT" ] && [ "$(env_value "$line" SYNAPSE_DIR)" = "$(cd "$DIR" && pwd -P)" ] \
  && [ "$(env_value "$line" SYNAPSE_SERVER_NAME)" = localhost ] \
  && [ "$(env_value "$line" SYNAPSE_PID)" = "$(cat "$DIR/synapse.pid")" ] \
  || fail "unexpected env line: $line"
! "$HERE/synapse.sh" start "$DIR" >/dev/null 2>&1 || fail "a second start of a running DIR succeeded"

ok GET /_matrix/client/versions -
check "$OUT" "'v1.11' in j['versions']" versions
# Only 127.0.0.1 listens, and there is no federation listener.
[ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$URL/_matrix/federation/v1/version")" = 404 ] \
  || fail "the federation API answers on the client listener"
ss -Htln 2>/dev/null | awk '{print $4}' | grep -E ":$PORT\$" | grep -qv '^127\.0\.0\.1:' \
  && fail "something listens on port $PORT beyond 127.0.0.1"

# Logins; a wrong password; no open registration.
ALICE=$(login alice alice-pass)
BOB=$(login bob bob-pass)
api POST /_matrix/client/v3/login - '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"wrong"}'
[ "$CODE" = 403 ] || fail "a wrong password: $CODE $OUT"
check "$OUT" "j['errcode'] == 'M_FORBIDDEN'" "wrong password"
api POST /_matrix/client/v3/register - '{"username":"mallory","password":"mallory-pass","auth":{"type":"m.login.dummy"}}'
[ "$CODE" = 403 ] || fail "open registration: $CODE $OUT"
ok GET /_matrix/client/v3/account/whoami "$ALICE"
check "$OUT" "j['user_id'] == '@alice:localhost'" whoami
# Neither is a server admin.
api GET "/_synapse/admin/v2/users/$(enc @bob:localhost)" "$ALICE"
[ "$CODE" = 403 ] || fail "alice is an admin: $CODE $OUT"
# Many logins in a row (stock rc_login: a burst of 5 per account and per address).
for i in 1 2 3 4 5 6 7 8; do login alice alice-pass >/dev/null; done
ALICE2=$(login alice alice-pass) # a second device of alice's

# A room; bob is invited and joins.
ok POST /_matrix/client/v3/createRoom "$ALICE" '{"name":"Selftest","preset":"private_chat"}'
ROOM=$(js "$OUT" "j['room_id']")
# Room version 12 (Synapse's default): room ids are "!" + a hash, with no ":localhost".
[[ "$ROOM" == \!* ]] || fail "room id $ROOM"
ok GET "/_matrix/client/v3/rooms/$(enc "$ROOM")/state/m.room.create" "$ALICE"
check "$OUT" "j.get('room_version') == '12'" "the room version"
R=$(enc "$ROOM")
ok POST "/_matrix/client/v3/rooms/$R/invite" "$ALICE" '{"user_id":"@bob:localhost"}'
ok GET "/_matrix/client/v3/sync?timeout=0" "$BOB"
check "$OUT" "a[0] in j['rooms']['invite']" "bob's sync shows the invite" "$ROOM"
NEXT=$(js "$OUT" "j['next_batch']")
ok POST "/_matrix/client/v3/join/$R" "$BOB" '{}'
check "$OUT" "j['room_id'] == a[0]" join "$ROOM"
# Since the previous sync: Synapse answers the very same /sync request (same user, since, filter,
# ...) from a cache for 2 minutes (caches.sync_response_cache_duration), so a second initial sync
# would still show the invite.
ok GET "/_matrix/client/v3/sync?timeout=0&since=$(enc "$NEXT")" "$BOB"
check "$OUT" "a[0] in j['rooms']['join']" "bob's sync shows the room joined" "$ROOM"
NEXT=$(js "$OUT" "j['next_batch']")

# Bob long-polls; alice sends: the sync returns with the message.
curl --noproxy '*' -sS --max-time 30 -H "Authorization: Bearer $BOB" \
  "$URL/_matrix/client/v3/sync?timeout=20000&since=$(enc "$NEXT")" >"$WORK/sync.json" &
SYNC=$!
sleep 1
kill -0 "$SYNC" 2>/dev/null || fail "the long-polling /sync returned before anything was sent: $(cat "$WORK/sync.json")"
t=$(now)
ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/txn-1" "$ALICE" '{"msgtype":"m.text","body":"hello bob"}'
sent=$(since "$t")
wait "$SYNC" || fail "the long-polling /sync failed"
echo "synapse selftest: the send took $sent s; the long-polling /sync returned $(since "$t") s after the send began" >&2
EVENT=$(js "$OUT" "j['event_id']")
SYNCED=$(cat "$WORK/sync.json")
check "$SYNCED" "[(e['event_id'], e['content']['body'], e['sender']) for e in j['rooms']['join'][a[0]]['timeline']['events'] if e['type'] == 'm.room.message'] == [(a[1], 'hello bob', '@alice:localhost')]" \
  "bob's /sync sees the message" "$ROOM" "$EVENT"

# The same transaction id again (same access token): the same event, nothing new is sent.
ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/txn-1" "$ALICE" '{"msgtype":"m.text","body":"hello bob"}'
check "$OUT" "j['event_id'] == a[0]" "a repeated transaction id" "$EVENT"
# ... from alice's other device (another access token), the same id is another transaction.
ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/txn-1" "$ALICE2" '{"msgtype":"m.text","body":"from the other device"}'
check "$OUT" "j['event_id'] != a[0]" "the same transaction id from another device" "$EVENT"
OTHER=$(js "$OUT" "j['event_id']")

# A burst of messages (stock rc_message: a burst of 10, then 0.2/s).
for i in $(seq 1 30); do
  ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/burst-$i" "$ALICE" "{\"msgtype\":\"m.text\",\"body\":\"burst $i\"}"
done
ok GET "/_matrix/client/v3/rooms/$R/messages?dir=b&limit=100" "$BOB"
check "$OUT" "[e['content']['body'] for e in reversed(j['chunk']) if e['type'] == 'm.room.message'] == ['hello bob', 'from the other device'] + ['burst %d' % i for i in range(1, 31)]" \
  "/messages: each message once, in order"

# Restart: same port, data and access tokens kept.
t=$(now)
"$HERE/synapse.sh" stop "$DIR"
echo "synapse selftest: stop took $(since "$t") s" >&2
! "$HERE/synapse.sh" status "$DIR" || fail "status says it runs after stop"
[ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$URL/_matrix/client/versions")" = 000 ] \
  || fail "it still answers after stop"
t=$(now)
line=$("$HERE/synapse.sh" start "$DIR") || fail "restart failed"
echo "synapse selftest: restart took $(since "$t") s" >&2
[ "$(env_value "$line" SYNAPSE_PORT)" = "$PORT" ] || fail "restart on another port: $line"
ok GET /_matrix/client/v3/account/whoami "$BOB"
check "$OUT" "j['user_id'] == '@bob:localhost'" "bob's access token after the restart"
ALICE3=$(login alice alice-pass)
ok GET /_matrix/client/v3/joined_rooms "$ALICE3"
check "$OUT" "j['joined_rooms'] == [a[0]]" "alice's rooms after the restart" "$ROOM"
ok GET "/_matrix/client/v3/rooms/$R/event/$(enc "$EVENT")" "$BOB"
check "$OUT" "j['content']['body'] == 'hello bob'" "the message after the restart"
ok GET "/_matrix/client/v3/rooms/$R/event/$(enc "$OTHER")" "$BOB"
# The transaction ids of before the restart still count (they are stored for a while).
ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/txn-1" "$ALICE" '{"msgtype":"m.text","body":"hello bob"}'
check "$OUT" "j['event_id'] == a[0]" "a repeated transaction id after the restart" "$EVENT"
ok PUT "/_matrix/client/v3/rooms/$R/send/m.room.message/after-restart" "$ALICE3" '{"msgtype":"m.text","body":"after the restart"}'
ok GET "/_matrix/client/v3/rooms/$R/messages?dir=b&limit=3" "$BOB"
check "$OUT" "[e['content']['body'] for e in j['chunk']] == ['after the restart', 'burst 30', 'burst 29']" "/messages after the restart"

"$HERE/synapse.sh" stop "$DIR"
"$HERE/synapse.sh" stop "$DIR" # twice is fine
STARTED=""
echo "synapse selftest: ok"
