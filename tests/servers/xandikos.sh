#!/usr/bin/env bash
# A private Xandikos CalDAV server for tests (Debian package xandikos), listening on 127.0.0.1 only,
# plain HTTP.
#
#   tests/servers/xandikos.sh start DIR     start an instance living in DIR
#   tests/servers/xandikos.sh stop DIR      stop it (waits until it is gone)
#   tests/servers/xandikos.sh status DIR    exit 0 when the instance in DIR runs
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   XANDIKOS_URL=http://127.0.0.1:…/ XANDIKOS_PORT=… XANDIKOS_DIR=DIR XANDIKOS_PID=… XANDIKOS_PRINCIPAL=/alice/ XANDIKOS_HOME=/alice/calendars/ XANDIKOS_CALENDAR=/alice/calendars/calendar/ XANDIKOS_TASKS=/alice/calendars/tasks/
# Everything else goes to stderr. The same line is kept in DIR/env.
#
# Xandikos has no authentication at all: any request is served, and an Authorization header (e.g.
# Basic alice / alice-pass, as for radicale.sh) is ignored. It serves one principal, /alice/.
# Collections, made with MKCALENDAR on the first start of DIR (Xandikos keeps each one as a Git
# repository under DIR/data/):
#   /alice/                      the principal; current-user-principal is /alice/ everywhere
#                                (also on /), calendar-home-set is /alice/calendars/
#   /alice/calendars/            the calendar home (a plain collection)
#   /alice/calendars/calendar/   a calendar, displayname "Calendar"
#   /alice/calendars/tasks/      a calendar, displayname "Tasks"
# Xandikos 0.2.8 reports supported-calendar-component-set VEVENT VTODO VJOURNAL VFREEBUSY for
# every calendar (it cannot be set): "Tasks" is a task list by name only. /.well-known/caldav
# answers 302 to /. Data (and what a test deleted) persists across restarts of the same DIR.
# Log: DIR/xandikos.log (one line per request).
#
# Environment (all optional):
#   XANDIKOS_PORT           the port to use; default: a free port picked by the kernel (on a restart
#                           of the same DIR, the previous port when still free)
#   XANDIKOS_START_TIMEOUT  seconds to wait for the server to be ready (default 15)
set -euo pipefail

die() { echo "xandikos.sh: $*" >&2; exit 1; }
usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

PRINCIPAL=/alice/
HOME_SET=${PRINCIPAL}calendars/ # Xandikos' fixed calendar-home-set, relative to the principal
CALENDAR=${HOME_SET}calendar/
TASKS=${HOME_SET}tasks/
PYTHON=/usr/bin/python3 # Debian's, which Xandikos itself runs on

abs_dir() {
  local dir=$1
  case "$dir" in
    *[[:space:]]*) die "DIR must not contain whitespace: '$dir'" ;;
    "") usage ;;
  esac
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

server_pid() { # prints the pid of DIR's Xandikos when it runs
  local dir=$1 pid
  [ -s "$dir/xandikos.pid" ] || return 1
  pid=$(cat "$dir/xandikos.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be Xandikos serving this DIR's data.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "xandikos -d $dir/data " || return 1
  echo "$pid"
}

port_free() { # exit 0 when nothing listens on 127.0.0.1:$1 and we may bind it
  "$PYTHON" - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is fine
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
except OSError:
    sys.exit(1)
PY
}

free_port() { # prints a port the kernel picked
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() { # starts Xandikos on port $2 in the background; sets CHILD to its pid
  local dir=$1 port=$2 extra=()
  # The principal and the calendar home are made by Xandikos itself on the first start.
  [ -e "$dir/data/.satu-made" ] || extra=(--autocreate)
  # The server keeps the stdout/stderr it was started with: never a pipe (a caller reading our
  # output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    # Unbuffered: the "Running on" line (printed once the port is bound) must reach the log at once.
    export PYTHONUNBUFFERED=1
    unset XANDIKOS_DUMP_DAV_XML
    exec "$XANDIKOS" -d "$dir/data" --current-user-principal "$PRINCIPAL" "${extra[@]}" \
      -l 127.0.0.1 -p "$port" </dev/null >>"$dir/xandikos.log" 2>&1
  ) &
  CHILD=$!
  echo "$CHILD" >"$dir/xandikos.pid"
}

exited() { # exit 0 when process $1 has exited (a zombie, e.g. our own unreaped child, counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

log_since() { # DIR/xandikos.log from byte offset $2 on
  tail -c "+$(( $2 + 1 ))" "$1/xandikos.log" 2>/dev/null || true
}

prev_port() { # XANDIKOS_PORT in DIR/env from the previous start, if any
  [ -s "$1/env" ] && tr ' ' '\n' <"$1/env" | sed -n 's/^XANDIKOS_PORT=//p' || true
}

mkcalendar() { # MKCALENDAR $2 (a path) with displayname $3 on http://127.0.0.1:$1
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X MKCALENDAR \
    -H 'Content-Type: application/xml; charset=utf-8' \
    --data-binary "<?xml version=\"1.0\" encoding=\"utf-8\"?><C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop><D:displayname>$3</D:displayname></D:prop></D:set></C:mkcalendar>" \
    "http://127.0.0.1:$1$2") || return 1
  # 403 (resource-must-be-null): made by an earlier start that stopped before its marker.
  [ "$code" = 201 ] || [ "$code" = 403 ] || { echo "xandikos.sh: MKCALENDAR $2 answered $code" >&2; return 1; }
}

cmd_start() {
  local dir pid
  dir=$(abs_dir "${1:-}")
  XANDIKOS=$(command -v xandikos) || die "xandikos is not installed: run tests/servers/install.sh"
  command -v curl >/dev/null || die "curl is not installed: run tests/servers/install.sh"
  if pid=$(server_pid "$dir"); then
    die "an instance already runs in $dir (pid $pid): stop it first"
  fi
  rm -f "$dir/xandikos.pid"
  mkdir -p "$dir/data"

  # The port: the one given in the environment (fixed), else the previous start's when still
  # free, else one picked by the kernel.
  local fixed=${XANDIKOS_PORT:-} port prev
  [ -z "$fixed" ] || [[ "$fixed" =~ ^[0-9]+$ ]] || die "XANDIKOS_PORT must be a port number, not '$fixed'"
  port=$fixed
  if [ -z "$port" ]; then
    prev=$(prev_port "$dir")
    [ -n "$prev" ] && port_free "$prev" && port=$prev
  fi

  # Between picking a free port and Xandikos binding it, a parallel test may take it: then
  # Xandikos is started again on another port.
  local timeout=${XANDIKOS_START_TIMEOUT:-15} deadline attempt offset rc
  deadline=$(( $(date +%s) + timeout ))
  for attempt in 1 2 3 4 5; do
    [ -n "$port" ] || port=$(free_port)
    offset=$(stat -c %s "$dir/xandikos.log" 2>/dev/null || echo 0)
    start_server "$dir" "$port"
    # Ready when aiohttp has printed that it runs (after binding), or failed.
    while ! log_since "$dir" "$offset" | grep -q "Running on http://127.0.0.1:$port"; do
      if exited "$CHILD"; then
        break
      fi
      if [ "$(date +%s)" -ge "$deadline" ]; then
        log_since "$dir" "$offset" | tail -n 20 >&2
        cmd_stop "$dir" >/dev/null 2>&1 || true
        die "Xandikos in $dir was not ready within ${timeout}s"
      fi
      sleep 0.02
    done
    exited "$CHILD" || break
    rc=0
    wait "$CHILD" 2>/dev/null || rc=$?
    if log_since "$dir" "$offset" | grep -qi "address already in use" && [ "$attempt" -lt 5 ]; then
      [ -z "$fixed" ] || { rm -f "$dir/xandikos.pid"; die "port in use: XANDIKOS_PORT=$port"; }
      echo "xandikos.sh: port $port was taken meanwhile, retrying" >&2
      port=""
      continue
    fi
    echo "--- $dir/xandikos.log (tail) ---" >&2
    log_since "$dir" "$offset" | tail -n 20 >&2
    rm -f "$dir/xandikos.pid"
    die "Xandikos did not start in $dir (exit $rc)"
  done

  pid=$(server_pid "$dir") \
    || { cmd_stop "$dir" >/dev/null 2>&1 || true; die "Xandikos in $dir started but is gone; see $dir/xandikos.log"; }

  # The two collections, once per DIR (a collection a test deleted later stays deleted).
  if [ ! -e "$dir/data/.satu-made" ]; then
    if ! { mkcalendar "$port" "$CALENDAR" Calendar && mkcalendar "$port" "$TASKS" Tasks; }; then
      cmd_stop "$dir" >/dev/null 2>&1 || true
      die "could not make the collections in $dir; see $dir/xandikos.log"
    fi
    : >"$dir/data/.satu-made"
  fi

  local line="XANDIKOS_URL=http://127.0.0.1:$port/ XANDIKOS_PORT=$port XANDIKOS_DIR=$dir XANDIKOS_PID=$pid XANDIKOS_PRINCIPAL=$PRINCIPAL XANDIKOS_HOME=$HOME_SET XANDIKOS_CALENDAR=$CALENDAR XANDIKOS_TASKS=$TASKS"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  if pid=$(server_pid "$dir"); then
    # TERM: aiohttp stops accepting, closes the connections and exits.
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + 5 ))
    until exited "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "xandikos.sh: killing Xandikos of $dir (pid $pid)" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.1
        break
      fi
      sleep 0.02
    done
  fi
  rm -f "$dir/xandikos.pid"
}

cmd_status() {
  local dir
  [ -n "${1:-}" ] && [ -d "$1" ] || return 1
  dir=$(cd "$1" && pwd -P)
  server_pid "$dir" >/dev/null
}

case "${1:-}" in
  start) shift; [ $# -eq 1 ] || usage; cmd_start "$1" ;;
  stop) shift; [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
  status) shift; [ $# -eq 1 ] || usage; cmd_status "$1" ;;
  *) usage ;;
esac
