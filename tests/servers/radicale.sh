#!/usr/bin/env bash
# A private Radicale 3 CalDAV server for tests (PyPI radicale, in a venv), listening on 127.0.0.1
# only: one instance over plain HTTP and one over HTTPS, sharing the same storage.
#
#   tests/servers/radicale.sh start DIR     start an instance living in DIR
#   tests/servers/radicale.sh stop DIR      stop it (waits until it is gone)
#   tests/servers/radicale.sh status DIR    exit 0 when the instance in DIR runs
#   tests/servers/radicale.sh venv          make the Python venv with Radicale (quiet when present)
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   RADICALE_URL=http://127.0.0.1:…/ RADICALE_TLS_URL=https://localhost:…/ RADICALE_PORT=… RADICALE_TLS_PORT=… CA_FILE=DIR/ca.pem RADICALE_DIR=DIR RADICALE_PID=… RADICALE_TLS_PID=…
# Everything else goes to stderr. The same line is kept in DIR/env.
#
# RADICALE_URL is plain HTTP on 127.0.0.1:RADICALE_PORT; RADICALE_TLS_URL is HTTPS on
# 127.0.0.1:RADICALE_TLS_PORT (a second Radicale process on the same storage), with a server
# certificate for DNS:localhost and IP:127.0.0.1 signed by a throw-away CA made for this DIR: trust
# CA_FILE. RADICALE_PID / RADICALE_TLS_PID are the two processes. HTTP Basic auth against an
# htpasswd file with plain passwords: alice / alice-pass and bob / bob-pass; rights owner_only (a
# user reads and writes /USER/ and below, nothing else; "/" is readable for discovery).
#
# Collections (in Radicale's storage layout under DIR/collections/collection-root/), made on disk
# before the first start for each user whose principal folder does not exist yet:
#   /USER/            the principal; current-user-principal and calendar-home-set are both /USER/
#   /USER/calendar/   VCALENDAR, supported-calendar-component-set VEVENT, displayname "Calendar"
#   /USER/tasks/      VCALENDAR, supported-calendar-component-set VTODO, displayname "Tasks"
# Data (and what a test deleted) persists across restarts of the same DIR. /.well-known/caldav
# answers 301 to /. Logs: DIR/radicale.log and DIR/radicale-tls.log.
#
# Environment (all optional):
#   RADICALE_PORT, RADICALE_TLS_PORT   ports to use; default: free ports picked by the kernel (on a
#                           restart of the same DIR, the previous ports when still free)
#   RADICALE_USERS="alice:pw …"  the logins and passwords (default alice:alice-pass bob:bob-pass);
#                           names of letters, digits, '.', '_', '-'; passwords without spaces or ':'
#   RADICALE_VENV           the venv (default ~/.cache/satu/venv-radicale), made on first use with pip
#   RADICALE_START_TIMEOUT  seconds to wait for both processes to be ready (default 15)
#   RADICALE_MAX_REPORT_VEVENTS  Radicale's [reporting] max_expand_occurrence: the most VEVENTs
#                           a REPORT may carry in its calendar-data before Radicale answers 400
#                           (stock 10000; tests lower it to provoke the refusal)
#   OAUTH2_INTROSPECTION_URL  OAuth2 bearer tokens instead of Basic auth: both Radicale processes
#                           move to private ports with [auth] type = http_x_remote_user, and
#                           bearer_proxy.py listens on RADICALE_PORT / RADICALE_TLS_PORT (TLS with
#                           the same certificate) in front of them. It checks each request's
#                           `Authorization: Bearer TOKEN` by a POST to this RFC 7662 introspection
#                           URL (credentials in it, e.g. oidc.sh's OIDC_INTROSPECTION_URL) and
#                           forwards with X-Remote-User: <sub>. The line then also has
#                           BEARER=1 BEARER_PROXY_PID=… BEARER_LOG=DIR/bearer.log RADICALE_BACKEND_URL=…
set -euo pipefail

die() { echo "radicale.sh: $*" >&2; exit 1; }
usage() { sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

VENV=${RADICALE_VENV:-$HOME/.cache/satu/venv-radicale}
# Pinned, dependencies included: the venv is remade when this list changes.
REQUIREMENTS="radicale==3.9.0 certifi==2026.10.19.post1 charset-normalizer==3.5.3 defusedxml==0.7.1 idna==3.20 libpass==1.9.4 pika==1.4.4 python-dateutil==4.0.0 pytz==2026.6 requests==2.34.2 six==1.17.0 tzdata==2026.6 urllib3==2.8.0 vobject==0.9.9"
KINDS=(plain tls) # the two processes; their files are DIR/radicale{,-tls}.{conf,log,pid}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BEARER=0 # 1 with OAUTH2_INTROSPECTION_URL: bearer_proxy.py in front (DIR/bearer_proxy.{pid,ports}, DIR/bearer.log)

# shellcheck source=venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh" # ensure_venv

abs_dir() {
  local dir=$1
  case "$dir" in
    *[[:space:]]*) die "DIR must not contain whitespace: '$dir'" ;;
    "") usage ;;
  esac
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

base() { # the file name stem of process kind $1
  case "$1" in
    plain) echo radicale ;;
    tls) echo radicale-tls ;;
  esac
}

server_pid() { # prints the pid of DIR's process of kind $2 when it runs
  local dir=$1 stem pidfile pid
  stem=$(base "$2")
  pidfile=$dir/$stem.pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be Radicale started with this DIR's config file.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m radicale --config $dir/$stem.conf " || return 1
  echo "$pid"
}

port_free() { # exit 0 when nothing listens on 127.0.0.1:$1 and we may bind it
  "$VENV/bin/python" - "$1" <<'PY'
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

free_ports() { # prints two distinct free ports
  "$VENV/bin/python" - <<'PY'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
PY
}

make_certs() { # a CA and a server certificate signed by it, for localhost and 127.0.0.1
  local dir=$1
  [ -s "$dir/ca.pem" ] && [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] && return 0
  command -v openssl >/dev/null || die "openssl is not installed: run tests/servers/install.sh"
  (
    set -e
    cd "$dir"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=Satu test CalDAV CA $(basename "$dir")" -keyout ca-key.pem -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=localhost" -keyout key.pem -out cert.csr 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >cert.ext
    openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile cert.ext -out cert.pem 2>/dev/null
    rm -f cert.csr cert.ext ca.srl
    chmod 644 ca.pem cert.pem
  ) || die "openssl could not make the test certificates in $dir"
}

parse_users() { # sets USERS (names) and writes DIR/users (htpasswd, plain passwords)
  local dir=$1 spec entry name pass lines=""
  spec=${RADICALE_USERS:-alice:alice-pass bob:bob-pass}
  USERS=()
  for entry in $spec; do
    name=${entry%%:*}
    pass=${entry#*:}
    [[ "$entry" == *:* ]] || die "RADICALE_USERS: '$entry' is not NAME:PASSWORD"
    [[ "$name" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]] || die "RADICALE_USERS: bad user name '$name'"
    [ -n "$pass" ] && [[ "$pass" != *:* ]] || die "RADICALE_USERS: bad password for '$name' (empty or with ':')"
    [[ " ${USERS[*]} " == *" $name "* ]] && die "RADICALE_USERS: '$name' given twice"
    USERS+=("$name")
    lines+="$name:$pass"$'\n'
  done
  [ ${#USERS[@]} -gt 0 ] || die "RADICALE_USERS is empty"
  (umask 077 && printf '%s' "$lines" >"$dir/users.tmp") && mv -f "$dir/users.tmp" "$dir/users"
}

precreate() { # /USER/calendar/ and /USER/tasks/ on disk, for a user seen for the first time
  local root=$1/collections/collection-root user=$2
  [ -d "$root/$user" ] && return 0
  mkdir -p "$root/.new-$user/calendar" "$root/.new-$user/tasks"
  # Radicale's own format for .Radicale.props: JSON with sorted keys, "tag" makes it a calendar.
  printf '%s' '{"C:supported-calendar-component-set": "VEVENT", "D:displayname": "Calendar", "tag": "VCALENDAR"}' \
    >"$root/.new-$user/calendar/.Radicale.props"
  printf '%s' '{"C:supported-calendar-component-set": "VTODO", "D:displayname": "Tasks", "tag": "VCALENDAR"}' \
    >"$root/.new-$user/tasks/.Radicale.props"
  mv "$root/.new-$user" "$root/$user"
}

write_config() { # DIR/STEM.conf for process kind $2 on port $3
  local dir=$1 kind=$2 port=$3 ssl=False auth
  [ "$kind" = tls ] && ssl=True
  if [ "$BEARER" = 1 ]; then
    # Behind bearer_proxy.py: the user is its X-Remote-User header (on a private port).
    auth="type = http_x_remote_user"
  else
    auth="type = htpasswd
htpasswd_filename = $dir/users
htpasswd_encryption = plain"
  fi
  cat >"$dir/$(base "$kind").conf" <<EOF
# Written by tests/servers/radicale.sh on each start: edits are lost.
[server]
hosts = 127.0.0.1:$port
max_connections = 20
# No sleeping after a 5xx or a 401 (stock: 1 s each): tests provoke them on purpose.
delay_on_error = 0
ssl = $ssl
certificate = $dir/cert.pem
key = $dir/key.pem

[auth]
$auth
delay = 0
realm = Satu test Radicale

[rights]
type = owner_only

[storage]
filesystem_folder = $dir/collections

[web]
type = none

[logging]
level = info
EOF
  if [ -n "${RADICALE_MAX_REPORT_VEVENTS:-}" ]; then
    [[ "$RADICALE_MAX_REPORT_VEVENTS" =~ ^[1-9][0-9]*$ ]] || die "RADICALE_MAX_REPORT_VEVENTS must be a positive number"
    printf '\n[reporting]\nmax_expand_occurrence = %s\n' "$RADICALE_MAX_REPORT_VEVENTS" >>"$dir/$(base "$kind").conf"
  fi
}

start_server() { # starts Radicale of kind $2 in the background; sets CHILD to its pid
  local dir=$1 stem
  stem=$(base "$2")
  # The server keeps the stdout/stderr it was started with: never a pipe (a caller reading our
  # output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    unset RADICALE_CONFIG RADICALE_LOG_FORMAT
    exec "$VENV/bin/python" -m radicale --config "$dir/$stem.conf" </dev/null >>"$dir/$stem.log" 2>&1
  ) &
  CHILD=$!
  echo "$CHILD" >"$dir/$stem.pid"
}

exited() { # exit 0 when process $1 has exited (a zombie, e.g. our own unreaped child, counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

log_since() { # DIR/STEM.log from byte offset $3 on
  tail -c "+$(( $3 + 1 ))" "$1/$(base "$2").log" 2>/dev/null || true
}

prev_port() { # the value of $2 in DIR/env from the previous start, if any
  [ -s "$1/env" ] && tr ' ' '\n' <"$1/env" | sed -n "s/^$2=//p" || true
}

proxy_pid() { # prints the pid of DIR's bearer_proxy.py when it runs
  local dir=$1 pid
  [ -s "$dir/bearer_proxy.pid" ] || return 1
  pid=$(cat "$dir/bearer_proxy.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "bearer_proxy.py --ready-file $dir/bearer_proxy.ports " || return 1
  echo "$pid"
}

start_proxy() { # DIR PORT TLS_PORT BACKEND_PORT BACKEND_TLS_PORT (0: any); sets CHILD
  local dir=$1
  rm -f "$dir/bearer_proxy.ports"
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    exec "$VENV/bin/python" "$HERE/bearer_proxy.py" --ready-file "$dir/bearer_proxy.ports" \
      --introspection-url "$OAUTH2_INTROSPECTION_URL" --log "$dir/bearer.log" \
      --listen "$2" --upstream "http://127.0.0.1:$4/" \
      --listen-tls "$3" --upstream-tls "https://127.0.0.1:$5/" \
      --cert "$dir/cert.pem" --key "$dir/key.pem" --ca "$dir/ca.pem" \
      </dev/null >>"$dir/bearer_proxy.out" 2>&1
  ) &
  CHILD=$!
  echo "$CHILD" >"$dir/bearer_proxy.pid"
}

cmd_start() {
  local dir pid kind
  dir=$(abs_dir "${1:-}")
  case "${OAUTH2_INTROSPECTION_URL:-}" in
    "") ;;
    http://* | https://*) BEARER=1 ;;
    *) die "OAUTH2_INTROSPECTION_URL must be an http(s) URL, not '$OAUTH2_INTROSPECTION_URL'" ;;
  esac
  ensure_venv
  for kind in "${KINDS[@]}"; do
    if pid=$(server_pid "$dir" "$kind"); then
      die "an instance already runs in $dir (pid $pid): stop it first"
    fi
  done
  if pid=$(proxy_pid "$dir"); then
    die "an instance already runs in $dir (bearer proxy pid $pid): stop it first"
  fi
  make_certs "$dir"
  parse_users "$dir"
  mkdir -p "$dir/collections/collection-root"
  local user
  for user in "${USERS[@]}"; do precreate "$dir" "$user"; done
  rm -f "$dir/radicale.pid" "$dir/radicale-tls.pid"

  # Each port: the one given in the environment (fixed), else the previous start's when still
  # free, else one picked by the kernel.
  local names=(RADICALE_PORT RADICALE_TLS_PORT) fixed=() ports=() i name prev
  for i in 0 1; do
    name=${names[$i]}
    fixed[$i]=${!name:-}
    [ -z "${fixed[$i]}" ] || [[ "${fixed[$i]}" =~ ^[0-9]+$ ]] || die "$name must be a port number, not '${fixed[$i]}'"
    ports[$i]=${fixed[$i]}
    if [ -z "${ports[$i]}" ]; then
      prev=$(prev_port "$dir" "$name")
      [ -n "$prev" ] && port_free "$prev" && ports[$i]=$prev
    fi
  done
  # With the bearer proxy, those ports are the proxy's; Radicale gets two kernel-picked ones.
  local pub_fixed=() pub_ports=() avoid=""
  if [ "$BEARER" = 1 ]; then
    [ -z "${ports[0]}" ] || [ "${ports[0]}" != "${ports[1]}" ] || die "RADICALE_PORT and RADICALE_TLS_PORT must differ (${ports[0]})"
    pub_fixed=("${fixed[@]}")
    pub_ports=("${ports[@]}")
    avoid="${ports[*]}"
    fixed=("" "")
    ports=("" "")
  fi

  # Both processes start in parallel. Between picking a free port and Radicale binding it, a
  # parallel test may take it: that process is started again on another port.
  local timeout=${RADICALE_START_TIMEOUT:-15} deadline attempt picked more p rc
  local pids=("" "") offsets=(0 0) ready=("" "") pending
  deadline=$(( $(date +%s) + timeout ))
  for attempt in 1 2 3 4 5; do
    read -r -a picked < <(free_ports)
    if [ "$BEARER" = 1 ]; then # two more, in case some are the proxy's
      read -r -a more < <(free_ports)
      picked+=("${more[@]}")
    fi
    for i in 0 1; do
      [ -n "${ready[$i]}" ] && continue
      if [ -z "${ports[$i]}" ]; then
        # A kernel-picked port must not clash with the other one.
        for p in "${picked[@]}"; do
          [[ " ${ports[*]} $avoid " == *" $p "* ]] || { ports[$i]=$p; break; }
        done
      fi
    done
    [ "${ports[0]}" != "${ports[1]}" ] || die "RADICALE_PORT and RADICALE_TLS_PORT must differ (${ports[0]})"
    for i in 0 1; do
      [ -n "${ready[$i]}" ] && continue
      kind=${KINDS[$i]}
      write_config "$dir" "$kind" "${ports[$i]}"
      offsets[$i]=$(stat -c %s "$dir/$(base "$kind").log" 2>/dev/null || echo 0)
      start_server "$dir" "$kind"
      pids[$i]=$CHILD
    done
    # Ready when Radicale has logged that it listens (after binding), or failed.
    while :; do
      pending=0
      for i in 0 1; do
        [ -n "${ready[$i]}" ] && continue
        if log_since "$dir" "${KINDS[$i]}" "${offsets[$i]}" | grep -q "Radicale server ready"; then
          ready[$i]=1
        elif exited "${pids[$i]}"; then
          :
        else
          pending=1
        fi
      done
      [ -n "${ready[0]}" ] && [ -n "${ready[1]}" ] && break 2
      [ $pending -eq 1 ] || break # one (or both) failed, the other is ready
      if [ "$(date +%s)" -ge "$deadline" ]; then
        for i in 0 1; do tail -n 20 "$dir/$(base "${KINDS[$i]}").log" >&2 || true; done
        cmd_stop "$dir" >/dev/null 2>&1 || true
        die "Radicale in $dir was not ready within ${timeout}s"
      fi
      sleep 0.02
    done
    # One or both exited: a port taken meanwhile is retried, anything else is fatal.
    for i in 0 1; do
      [ -n "${ready[$i]}" ] && continue
      kind=${KINDS[$i]}
      rc=0
      wait "${pids[$i]}" 2>/dev/null || rc=$?
      if log_since "$dir" "$kind" "${offsets[$i]}" | grep -q "Address already in use" && [ $attempt -lt 5 ]; then
        if [ -n "${fixed[$i]}" ]; then
          cmd_stop "$dir" >/dev/null 2>&1 || true
          die "port in use: ${names[$i]}=${ports[$i]}"
        fi
        echo "radicale.sh: port ${ports[$i]} was taken meanwhile, retrying" >&2
        ports[$i]=""
        continue
      fi
      echo "--- $dir/$(base "$kind").log (tail) ---" >&2
      log_since "$dir" "$kind" "${offsets[$i]}" | tail -n 20 >&2
      cmd_stop "$dir" >/dev/null 2>&1 || true
      die "Radicale ($kind) did not start in $dir (exit $rc)"
    done
  done

  local rpid tpid
  rpid=$(server_pid "$dir" plain) && tpid=$(server_pid "$dir" tls) \
    || { cmd_stop "$dir" >/dev/null 2>&1 || true; die "Radicale in $dir started but is gone; see $dir/radicale*.log"; }

  local extra=""
  if [ "$BEARER" = 1 ]; then
    # The proxy on the public ports (fixed, the previous start's, else 0: picked by the kernel),
    # forwarding to the two Radicale processes. A previous port taken meanwhile is retried as 0.
    local backend=("${ports[@]}") ppid prc got=()
    for i in 0 1; do ports[$i]=${pub_ports[$i]:-0}; done
    for attempt in 1 2 3 4 5; do
      start_proxy "$dir" "${ports[0]}" "${ports[1]}" "${backend[0]}" "${backend[1]}"
      ppid=$CHILD
      until [ -s "$dir/bearer_proxy.ports" ] || exited "$ppid"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
          cmd_stop "$dir" >/dev/null 2>&1 || true
          die "the bearer proxy in $dir was not ready within ${timeout}s; see $dir/bearer_proxy.out"
        fi
        sleep 0.02
      done
      if [ -s "$dir/bearer_proxy.ports" ]; then
        read -r -a got <"$dir/bearer_proxy.ports"
        ports=("${got[@]}")
        break
      fi
      prc=0
      wait "$ppid" 2>/dev/null || prc=$?
      local retried=0
      if [ $prc -eq 98 ] && [ $attempt -lt 5 ]; then
        for i in 0 1; do
          if [ -z "${pub_fixed[$i]}" ] && [ "${ports[$i]}" != 0 ]; then ports[$i]=0; retried=1; fi
        done
      fi
      if [ $retried = 0 ]; then
        tail -n 5 "$dir/bearer_proxy.out" >&2 || true
        cmd_stop "$dir" >/dev/null 2>&1 || true
        [ $prc -eq 98 ] && die "port in use: RADICALE_PORT=${ports[0]} or RADICALE_TLS_PORT=${ports[1]}"
        die "the bearer proxy did not start in $dir (exit $prc)"
      fi
      echo "radicale.sh: a port was taken meanwhile, retrying the bearer proxy" >&2
    done
    ppid=$(proxy_pid "$dir") || { cmd_stop "$dir" >/dev/null 2>&1 || true; die "the bearer proxy in $dir started but is gone; see $dir/bearer_proxy.out"; }
    extra=" BEARER=1 BEARER_PROXY_PID=$ppid BEARER_LOG=$dir/bearer.log RADICALE_BACKEND_URL=http://127.0.0.1:${backend[0]}/"
  fi

  local line="RADICALE_URL=http://127.0.0.1:${ports[0]}/ RADICALE_TLS_URL=https://localhost:${ports[1]}/ RADICALE_PORT=${ports[0]} RADICALE_TLS_PORT=${ports[1]} CA_FILE=$dir/ca.pem RADICALE_DIR=$dir RADICALE_PID=$rpid RADICALE_TLS_PID=$tpid$extra"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid pids=() kind deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  # The bearer proxy first (it finishes its requests in progress within 5 s, then exits).
  if pid=$(proxy_pid "$dir"); then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + 7 ))
    until exited "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "radicale.sh: killing the bearer proxy of $dir (pid $pid)" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.1
        break
      fi
      sleep 0.02
    done
  fi
  rm -f "$dir/bearer_proxy.pid"
  for kind in "${KINDS[@]}"; do
    pid=$(server_pid "$dir" "$kind") || continue
    # TERM: Radicale stops accepting, finishes the requests in progress, and exits.
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  deadline=$(( $(date +%s) + 5 ))
  for pid in "${pids[@]}"; do
    until exited "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        # A client holding a connection open without sending keeps a worker waiting (timeout 30 s).
        echo "radicale.sh: killing Radicale of $dir (pid $pid)" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.1
        break
      fi
      sleep 0.02
    done
  done
  rm -f "$dir/radicale.pid" "$dir/radicale-tls.pid"
}

cmd_status() {
  local dir
  [ -n "${1:-}" ] && [ -d "$1" ] || return 1
  dir=$(cd "$1" && pwd -P)
  server_pid "$dir" plain >/dev/null && server_pid "$dir" tls >/dev/null || return 1
  # Started with the bearer proxy: it must run too.
  if [ -s "$dir/env" ] && grep -q " BEARER=1 " "$dir/env"; then
    proxy_pid "$dir" >/dev/null || return 1
  fi
}

case "${1:-}" in
  start) shift; [ $# -eq 1 ] || usage; cmd_start "$1" ;;
  stop) shift; [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
  status) shift; [ $# -eq 1 ] || usage; cmd_status "$1" ;;
  venv) shift; [ $# -eq 0 ] || usage; ensure_venv ;;
  *) usage ;;
esac
