#!/usr/bin/env bash
# A private recording SMTP submission server for tests (tests/servers/smtp_server.py, aiosmtpd),
# listening on 127.0.0.1 only.
#
#   tests/servers/smtp.sh start DIR     start an instance living in DIR
#   tests/servers/smtp.sh stop DIR      stop it (waits until it is gone)
#   tests/servers/smtp.sh status DIR    exit 0 when the instance in DIR runs
#   tests/servers/smtp.sh venv          make the Python venv with aiosmtpd (quiet when present)
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   SMTP_HOST=127.0.0.1 SMTP_PORT=… SUBMISSIONS_PORT=… SMTP_PLAIN_PORT=… CA_FILE=DIR/ca.pem SMTP_DIR=DIR SMTP_PID=… SMTP_LOG=DIR/messages.jsonl
# Everything else goes to stderr. The same line is kept in DIR/env.
#
# SMTP_PORT is plain SMTP offering STARTTLS, with AUTH only after STARTTLS; SUBMISSIONS_PORT is
# implicit TLS with AUTH; SMTP_PLAIN_PORT is plain SMTP with AUTH allowed without TLS (loopback
# only: for fault-injection tests through tests/servers/smtp_fault_proxy.py). The server
# certificate (for DNS:localhost and IP:127.0.0.1) is signed by a throw-away CA made for this DIR:
# trust CA_FILE. Users: alice / alice-pass and bob / bob-pass (AUTH PLAIN and LOGIN); a wrong
# password gets 535 5.7.8. Any recipient is accepted except local parts starting with "reject"
# (550 5.1.1 … User unknown).
#
# Every accepted message is written to DIR/messages/NNNNNN.eml (the raw bytes as received, CRLF)
# and gets one JSON line in SMTP_LOG, both fsync'd before the 250 reply:
#   {"seq":1,"message_id":"<…>" or null,"mail_from":"…","rcpt":["…"],"auth_user":"alice" or null,
#    "size":1234,"file":"DIR/messages/000001.eml","time":"2026-…Z","listener":"smtp|submissions|plain"}
# Numbering goes on across restarts of the same DIR. Server log: DIR/server.log.
#
# Environment (all optional):
#   SMTP_PORT, SUBMISSIONS_PORT, SMTP_PLAIN_PORT   ports to use; default: free ports picked by the
#                           kernel (on a restart of the same DIR, the previous ports when still free)
#   SAVE_SENT_DOVECOT=DIR   a tests/servers/dovecot.sh instance: each accepted message is also saved
#                           (flagged \Seen) into the Sent folder of the authenticated user, before
#                           the 250 reply, as Gmail and Exchange do; 451 if that fails
#   DELIVER_DOVECOT=DIR     a tests/servers/dovecot.sh instance: as the recipients' provider, each
#                           accepted message is delivered to the INBOX of every recipient who is a
#                           user there, with `Received: … by AUTHSERV_ID` and
#                           `Authentication-Results: AUTHSERV_ID; AUTH_RESULTS` on top (defaults
#                           mx.satu.test and "spf=none smtp.mailfrom={mail_from}"; {mail_from} and
#                           {from_domain} are filled in), before the 250 reply
#   REPLY_DELAY_MS=N        wait N ms before the reply to the final dot (after recording)
#   SMTP_AUTH_REQUIRED=1    530 5.7.0 for MAIL/RCPT/DATA before AUTH (default: AUTH optional)
#   SMTP_USERS="alice:pw …"  the logins and passwords (default alice:alice-pass bob:bob-pass)
#   OAUTH2_INTROSPECTION_URL  also offer AUTH XOAUTH2 and OAUTHBEARER (initial response or 334
#                           empty challenge): the bearer token is POSTed to this RFC 7662 URL
#                           (credentials in it, e.g. OIDC_INTROSPECTION_URL of oidc.sh) and must be
#                           active with sub = the user; else 334 <base64 JSON error>, then 535 5.7.8
#   SATU_TEST_VENV          the venv (default ~/.cache/satu/venv-smtp), made on first use with pip
#   SMTP_START_TIMEOUT      seconds to wait for the greeting (default 15)
set -euo pipefail

die() { echo "smtp.sh: $*" >&2; exit 1; }
usage() { sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SERVER=$HERE/smtp_server.py
VENV=${SATU_TEST_VENV:-$HOME/.cache/satu/venv-smtp}
# Pinned, dependencies included: the venv is remade when this list changes.
REQUIREMENTS="aiosmtpd==1.4.6 atpublic==9.0.0 attrs==26.1.0"
EXIT_PORT_IN_USE=98 # smtp_server.py's exit status when a port cannot be bound

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

server_pid() { # prints the pid of DIR's server when it runs
  local pidfile=$1/smtp.pid pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be smtp_server.py started for this DIR.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "smtp_server.py --dir $1 " || return 1
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

free_ports() { # prints three distinct free ports
  "$VENV/bin/python" - <<'PY'
import socket
socks = []
for _ in range(3):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
PY
}

greets() { # exit 0 when 127.0.0.1:$1 answers with an SMTP greeting
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    printf "QUIT\r\n" >&3
    exec 3>&-
    [[ "$line" == "220 "* ]]' _ "$1" 2>/dev/null
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
      -subj "/CN=Satu test SMTP CA $(basename "$dir")" -keyout ca-key.pem -out ca.pem \
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

start_server() { # starts smtp_server.py in the background; sets CHILD to its pid
  local dir=$1
  shift
  # The server keeps the stdout/stderr it was started with: never a pipe (a caller reading our
  # output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    cd "$dir"
    exec "$VENV/bin/python" "$SERVER" --dir "$dir" "$@" </dev/null >>"$dir/server.log" 2>&1
  ) &
  CHILD=$!
}

exited() { # exit 0 when process $1 has exited (a zombie, e.g. our own unreaped child, counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

prev_port() { # the value of $2 in DIR/env from the previous start, if any
  [ -s "$1/env" ] && tr ' ' '\n' <"$1/env" | sed -n "s/^$2=//p" || true
}

cmd_start() {
  local dir pid
  dir=$(abs_dir "${1:-}")
  ensure_venv
  if pid=$(server_pid "$dir"); then
    die "an instance already runs in $dir (pid $pid): stop it first"
  fi
  make_certs "$dir"
  mkdir -p "$dir/messages"
  rm -f "$dir/smtp.pid"

  local extra=()
  if [ -n "${SAVE_SENT_DOVECOT:-}" ]; then
    local dovecot_dir
    dovecot_dir=$(cd "$SAVE_SENT_DOVECOT" 2>/dev/null && pwd -P) || die "SAVE_SENT_DOVECOT: no directory $SAVE_SENT_DOVECOT"
    bash "$HERE/dovecot.sh" status "$dovecot_dir" || die "SAVE_SENT_DOVECOT: no dovecot.sh instance runs in $dovecot_dir"
    extra+=(--save-sent-dovecot "$dovecot_dir")
  fi
  if [ -n "${DELIVER_DOVECOT:-}" ]; then
    local deliver_dir
    deliver_dir=$(cd "$DELIVER_DOVECOT" 2>/dev/null && pwd -P) || die "DELIVER_DOVECOT: no directory $DELIVER_DOVECOT"
    bash "$HERE/dovecot.sh" status "$deliver_dir" || die "DELIVER_DOVECOT: no dovecot.sh instance runs in $deliver_dir"
    extra+=(--deliver-dovecot "$deliver_dir")
  fi
  if [ -n "${REPLY_DELAY_MS:-}" ]; then
    [[ "$REPLY_DELAY_MS" =~ ^[0-9]+$ ]] || die "REPLY_DELAY_MS must be a number of milliseconds, not '$REPLY_DELAY_MS'"
    extra+=(--reply-delay-ms "$REPLY_DELAY_MS")
  fi
  case "${OAUTH2_INTROSPECTION_URL:-}" in
    "" | http://* | https://*) ;; # smtp_server.py reads it from the environment (not on its command line)
    *) die "OAUTH2_INTROSPECTION_URL must be an http(s) URL, not '$OAUTH2_INTROSPECTION_URL'" ;;
  esac
  case "${SMTP_AUTH_REQUIRED:-0}" in
    1) extra+=(--auth-required) ;;
    0 | "") ;;
    *) die "SMTP_AUTH_REQUIRED must be 0 or 1" ;;
  esac

  # Each port: the one given in the environment (fixed), else the previous start's when still
  # free, else one picked by the kernel.
  local names=(SMTP_PORT SUBMISSIONS_PORT SMTP_PLAIN_PORT) fixed=() ports=() i name prev
  for i in 0 1 2; do
    name=${names[$i]}
    fixed[$i]=${!name:-}
    ports[$i]=${fixed[$i]}
    if [ -z "${ports[$i]}" ]; then
      prev=$(prev_port "$dir" "$name")
      [ -n "$prev" ] && port_free "$prev" && ports[$i]=$prev
    fi
  done

  # Between picking a free port and the server binding it, a parallel test may take it: retry.
  local attempt rc picked p
  for attempt in 1 2 3 4 5; do
    read -r -a picked < <(free_ports)
    for i in 0 1 2; do
      [ -n "${ports[$i]}" ] && continue
      # A kernel-picked port must not clash with one given or reused.
      for p in "${picked[@]}"; do
        [[ " ${ports[*]} " == *" $p "* ]] || { ports[$i]=$p; break; }
      done
    done
    if [ "${ports[0]}" = "${ports[1]}" ] || [ "${ports[0]}" = "${ports[2]}" ] || [ "${ports[1]}" = "${ports[2]}" ]; then
      die "SMTP_PORT, SUBMISSIONS_PORT and SMTP_PLAIN_PORT must differ (${ports[*]})"
    fi
    start_server "$dir" --smtp-port "${ports[0]}" --submissions-port "${ports[1]}" --plain-port "${ports[2]}" \
      --cert "$dir/cert.pem" --key "$dir/key.pem" "${extra[@]}"
    # Ready when the server has written its pid file (after binding), or failed.
    while [ ! -s "$dir/smtp.pid" ] && ! exited "$CHILD"; do sleep 0.02; done
    [ -s "$dir/smtp.pid" ] && break
    rc=0
    wait "$CHILD" || rc=$?
    if [ $rc -eq $EXIT_PORT_IN_USE ] && [ $attempt -lt 5 ]; then
      local busy_fixed=""
      for i in 0 1 2; do
        if [ -n "${fixed[$i]}" ]; then
          port_free "${ports[$i]}" || busy_fixed+=" ${names[$i]}=${ports[$i]}"
        else
          port_free "${ports[$i]}" || ports[$i]="" # taken meanwhile: pick another
        fi
      done
      [ -n "$busy_fixed" ] && die "port in use:$busy_fixed"
      echo "smtp.sh: a port of ${ports[*]} was taken meanwhile, retrying" >&2
      continue
    fi
    echo "--- $dir/server.log (tail) ---" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    die "smtp_server.py did not start (exit $rc)"
  done

  local timeout=${SMTP_START_TIMEOUT:-15} deadline
  deadline=$(( $(date +%s) + timeout ))
  until greets "${ports[0]}" && greets "${ports[2]}"; do
    if [ "$(date +%s)" -ge "$deadline" ] || exited "$CHILD"; then
      echo "--- $dir/server.log (tail) ---" >&2
      tail -n 30 "$dir/server.log" >&2 || true
      cmd_stop "$dir" >/dev/null 2>&1 || true
      die "the SMTP server in $dir did not greet on 127.0.0.1:${ports[0]} within ${timeout}s"
    fi
    sleep 0.05
  done
  pid=$(server_pid "$dir") || die "the SMTP server in $dir answered but is gone; see $dir/server.log"

  local line="SMTP_HOST=127.0.0.1 SMTP_PORT=${ports[0]} SUBMISSIONS_PORT=${ports[1]} SMTP_PLAIN_PORT=${ports[2]} CA_FILE=$dir/ca.pem SMTP_DIR=$dir SMTP_PID=$pid SMTP_LOG=$dir/messages.jsonl"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  pid=$(server_pid "$dir") || return 0
  # TERM: the server stops listening, lets a message whose final dot has arrived be recorded
  # (and saved to Sent), and exits.
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + 15 ))
  until exited "$pid"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "smtp.sh: killing the SMTP server of $dir (pid $pid)" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.1
      break
    fi
    sleep 0.02
  done
  rm -f "$dir/smtp.pid"
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
  venv) shift; [ $# -eq 0 ] || usage; ensure_venv ;;
  *) usage ;;
esac
