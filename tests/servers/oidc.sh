#!/usr/bin/env bash
# A private OpenID Connect provider for tests (tests/servers/oidc/provider.mjs, npm oidc-provider
# 9.x on Node), listening on 127.0.0.1 only, plain HTTP.
#
#   tests/servers/oidc.sh start DIR     start an instance living in DIR
#   tests/servers/oidc.sh stop DIR      stop it (waits until it is gone)
#   tests/servers/oidc.sh status DIR    exit 0 when the instance in DIR runs
#   tests/servers/oidc.sh install       npm ci the pinned modules once (quiet when present)
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   OIDC_ISSUER=http://127.0.0.1:PORT OIDC_PORT=PORT OIDC_PID=… OIDC_DIR=DIR OIDC_CLIENT_ID=satu-test OIDC_INTROSPECTION_URL=http://dovecot:SECRET@127.0.0.1:PORT/token/introspection OIDC_LOG=DIR/oidc.log
# Everything else goes to stderr. The same line is kept in DIR/env.
#
# Clients: satu-test (public, native, PKCE S256 required, redirect URIs http://127.0.0.1/,
# http://localhost/, http://[::1]/ on any port) and dovecot (confidential, secret in
# OIDC_INTROSPECTION_URL and DIR/client-secret; may introspect any token). Users alice / alice-pass
# and bob / bob-pass (sub = the user name). State (grants, tokens, sessions) is in memory only: a
# restart forgets every token. Test routes: POST /_test/revoke, GET /_test/issued.
#
# Environment (all optional):
#   OIDC_PORT               port to use; default: a free port (on a restart of the same DIR, the
#                           previous one when still free)
#   OIDC_ACCESS_TTL         access-token lifetime in seconds (default 3600)
#   OIDC_REFRESH_TTL        refresh-token lifetime in seconds (default 14 days)
#   OIDC_ROTATE_REFRESH=0   keep the refresh token on refresh (default 1: a new one each time, the
#                           old one is then consumed; reusing it revokes the whole grant)
#   OIDC_REFRESH_NEEDS_OFFLINE_ACCESS=1  refresh tokens only when offline_access was granted
#                           (default: always for satu-test)
#   OIDC_EMAIL_DOMAIN       the email claim is USER@OIDC_EMAIL_DOMAIN (default localhost)
#   OIDC_DOVECOT_SECRET     the dovecot client's secret (default: random, kept in DIR/client-secret)
#   SATU_OIDC_MODULES       where `npm ci` puts node_modules (default ~/.cache/satu/oidc)
#   OIDC_START_TIMEOUT      seconds to wait for the provider (default 15)
set -euo pipefail

die() { echo "oidc.sh: $*" >&2; exit 1; }
usage() { sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SRC=$HERE/oidc
MODULES=${SATU_OIDC_MODULES:-$HOME/.cache/satu/oidc}
EXIT_PORT_IN_USE=98 # provider.mjs's exit status when the port cannot be bound

lock_sum() { sha256sum "$SRC/package-lock.json" | cut -d' ' -f1; }

installed() {
  [ -f "$MODULES/node_modules/oidc-provider/lib/index.js" ] \
    && [ "$(cat "$MODULES/satu-lock.sha256" 2>/dev/null)" = "$(lock_sum)" ]
}

check_node() { # oidc-provider 9 needs Node >= 20.18 (URL.parse; it warns below 22, harmlessly)
  command -v node >/dev/null || die "node is not installed: run tests/servers/install.sh"
  node -e 'process.exit(typeof URL.parse === "function" ? 0 : 1)' \
    || die "node $(node --version) is too old for oidc-provider 9: Node >= 20.18 is needed"
}

cmd_install() { # npm ci of oidc/package-lock.json into $MODULES; no network when it is there
  check_node
  installed && return 0
  command -v npm >/dev/null || die "npm is not installed: run tests/servers/install.sh"
  mkdir -p "$MODULES"
  # Tests starting in parallel on a fresh machine: one installs, the others wait for it.
  local lock_fd
  exec {lock_fd}>"$MODULES.lock"
  flock "$lock_fd"
  if ! installed; then
    echo "==> oidc.sh: npm ci of oidc-provider into $MODULES" >&2
    rm -f "$MODULES/satu-lock.sha256"
    cp "$SRC/package.json" "$SRC/package-lock.json" "$MODULES/"
    (cd "$MODULES" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) \
      || die "npm ci failed in $MODULES"
    lock_sum >"$MODULES/satu-lock.sha256"
  fi
  exec {lock_fd}>&-
}

abs_dir() {
  local dir=$1
  case "$dir" in
    *[[:space:]]*) die "DIR must not contain whitespace: '$dir'" ;;
    "") usage ;;
  esac
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

server_pid() { # prints the pid of DIR's provider when it runs
  local pidfile=$1/oidc.pid pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be provider.mjs started for this DIR.
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx -- "OIDC_DIR=$1" || return 1
  echo "$pid"
}

port_free() { # exit 0 when nothing listens on 127.0.0.1:$1 and we may bind it
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
except OSError:
    sys.exit(1)
PY
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

discovery_ok() { # exit 0 when the provider answers its discovery document with 200
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /.well-known/openid-configuration HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" "$1" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    exec 3>&-
    [[ "$line" == "HTTP/1."?" 200"* ]]' _ "$1" 2>/dev/null
}

exited() { # exit 0 when process $1 has exited (a zombie, e.g. our own unreaped child, counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

prev_port() { # OIDC_PORT in DIR/env from the previous start, if any
  [ -s "$1/env" ] && tr ' ' '\n' <"$1/env" | sed -n "s/^OIDC_PORT=//p" || true
}

start_server() { # starts provider.mjs in the background; sets CHILD to its pid
  local dir=$1 port=$2 secret=$3
  # The server keeps the stdout/stderr it was started with: never a pipe (a caller reading our
  # output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    export OIDC_PORT=$port OIDC_DIR=$dir OIDC_DOVECOT_SECRET=$secret SATU_OIDC_MODULES=$MODULES
    exec node "$SRC/provider.mjs" </dev/null >>"$dir/oidc.log" 2>&1
  ) &
  CHILD=$!
}

cmd_start() {
  local dir pid
  dir=$(abs_dir "${1:-}")
  command -v python3 >/dev/null || die "python3 is needed to pick free ports"
  cmd_install
  if pid=$(server_pid "$dir"); then
    die "an instance already runs in $dir (pid $pid): stop it first"
  fi
  local ttl
  for ttl in OIDC_ACCESS_TTL OIDC_REFRESH_TTL; do
    [ -z "${!ttl:-}" ] || [[ "${!ttl}" =~ ^[1-9][0-9]*$ ]] || die "$ttl must be a number of seconds, not '${!ttl}'"
  done
  rm -f "$dir/oidc.pid"

  local secret=${OIDC_DOVECOT_SECRET:-}
  if [ -z "$secret" ]; then
    [ -s "$dir/client-secret" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$dir/client-secret")
    secret=$(cat "$dir/client-secret")
  fi
  [[ "$secret" =~ ^[A-Za-z0-9._~-]+$ ]] || die "OIDC_DOVECOT_SECRET may only hold URL-safe characters [A-Za-z0-9._~-]"

  local fixed=${OIDC_PORT:-} port prev
  port=$fixed
  if [ -z "$port" ]; then
    prev=$(prev_port "$dir")
    [ -n "$prev" ] && port_free "$prev" && port=$prev
  fi

  # Between picking a free port and the provider binding it, a parallel test may take it: retry.
  local attempt rc
  for attempt in 1 2 3 4 5; do
    [ -n "$port" ] || port=$(free_port)
    start_server "$dir" "$port" "$secret"
    while [ ! -s "$dir/oidc.pid" ] && ! exited "$CHILD"; do sleep 0.02; done
    [ -s "$dir/oidc.pid" ] && break
    rc=0
    wait "$CHILD" || rc=$?
    if [ $rc -eq $EXIT_PORT_IN_USE ] && [ -z "$fixed" ] && [ $attempt -lt 5 ]; then
      echo "oidc.sh: port $port was taken meanwhile, retrying" >&2
      port=""
      continue
    fi
    echo "--- $dir/oidc.log (tail) ---" >&2
    tail -n 20 "$dir/oidc.log" >&2 || true
    [ $rc -eq $EXIT_PORT_IN_USE ] && die "port in use: OIDC_PORT=$port"
    die "provider.mjs did not start (exit $rc)"
  done

  local timeout=${OIDC_START_TIMEOUT:-15} deadline
  deadline=$(( $(date +%s) + timeout ))
  until discovery_ok "$port"; do
    if [ "$(date +%s)" -ge "$deadline" ] || exited "$CHILD"; then
      echo "--- $dir/oidc.log (tail) ---" >&2
      tail -n 30 "$dir/oidc.log" >&2 || true
      cmd_stop "$dir" >/dev/null 2>&1 || true
      die "the provider in $dir did not answer on 127.0.0.1:$port within ${timeout}s"
    fi
    sleep 0.05
  done
  pid=$(server_pid "$dir") || die "the provider in $dir answered but is gone; see $dir/oidc.log"

  local line="OIDC_ISSUER=http://127.0.0.1:$port OIDC_PORT=$port OIDC_PID=$pid OIDC_DIR=$dir OIDC_CLIENT_ID=satu-test OIDC_INTROSPECTION_URL=http://dovecot:$secret@127.0.0.1:$port/token/introspection OIDC_LOG=$dir/oidc.log"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  pid=$(server_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + 10 ))
  until exited "$pid"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "oidc.sh: killing the provider of $dir (pid $pid)" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.1
      break
    fi
    sleep 0.02
  done
  rm -f "$dir/oidc.pid"
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
  install) shift; [ $# -eq 0 ] || usage; cmd_install ;;
  *) usage ;;
esac
