#!/usr/bin/env bash
# A private Dovecot IMAP server for tests, listening on 127.0.0.1 only.
#
#   tests/servers/dovecot.sh start DIR                     start an instance living in DIR
#   tests/servers/dovecot.sh stop DIR                      stop it (waits until it is gone)
#   tests/servers/dovecot.sh append DIR USER FOLDER FILE   deliver FILE (- = stdin) into USER's FOLDER
#   tests/servers/dovecot.sh status DIR                    exit 0 when the instance in DIR runs
#
# `start` prints exactly one line on stdout, shell-evalable KEY=VALUE pairs without quotes or spaces:
#   IMAP_HOST=127.0.0.1 IMAP_PORT=… IMAPS_PORT=… CA_FILE=DIR/ca.pem DOVECOT_CONF=DIR/dovecot.conf DOVECOT_DIR=DIR DOVECOT_PID=… PERSONALITY=full
# Everything else goes to stderr. The same line is kept in DIR/env.
#
# IMAP_PORT is plain IMAP with STARTTLS, IMAPS_PORT implicit TLS. The server certificate (for
# DNS:localhost and IP:127.0.0.1) is signed by a throw-away CA made for this DIR: trust CA_FILE.
# Users: alice / alice-pass and bob / bob-pass (login names without domain), Maildir under
# DIR/home/USER/Maildir; folders INBOX, Sent, Drafts, Trash, Junk, Archive with SPECIAL-USE,
# hierarchy separator "/".
#
# Environment (all optional):
#   IMAP_PORT, IMAPS_PORT   ports to use; default: free ports picked by the kernel (on a restart of
#                           the same DIR, the previous ports when they are still free)
#   PERSONALITY=full        Dovecot's own capabilities (IDLE, CONDSTORE, QRESYNC, MOVE, UIDPLUS, …)
#   PERSONALITY=plain       the same without CONDSTORE and QRESYNC (an older/simpler server)
#   IMAP_CAPABILITY         an explicit post-login capability list (overrides PERSONALITY)
#   DOVECOT_START_TIMEOUT   seconds to wait for the greeting (default 15)
#   EXTRA_SANS              more DNS names for the certificate, space-separated (discovery tests
#                           reach the server as imap.guess.test and the like)
#   EXTRA_USERS             more users, space-separated NAME:PASSWORD (e.g. alice@srv.test:pw, a
#                           login that is the email address, as discovery proposes)
#   OAUTH2_INTROSPECTION_URL  also offer AUTHENTICATE XOAUTH2 and OAUTHBEARER, checking the bearer
#                           token with a POST to this RFC 7662 introspection URL (credentials in
#                           it, e.g. OIDC_INTROSPECTION_URL of tests/servers/oidc.sh): the token
#                           must be active and its sub must be the login name
#
# Run as root, mail is served as nobody (Dovecot refuses uid 0) and DIR is made world-traversable
# (mode 711); as an ordinary user everything runs as that user.
set -euo pipefail

die() { echo "dovecot.sh: $*" >&2; exit 1; }
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

USERS=(alice:alice-pass bob:bob-pass)

# Capabilities Dovecot 2.3 announces after login, minus CONDSTORE and QRESYNC.
PLAIN_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"

find_dovecot() {
  DOVECOT=$(command -v dovecot || true)
  [ -n "$DOVECOT" ] || for p in /usr/sbin/dovecot /usr/local/sbin/dovecot; do [ -x "$p" ] && DOVECOT=$p && break; done
  [ -n "$DOVECOT" ] || die "dovecot is not installed: run tests/servers/install.sh"
  DOVEADM=$(command -v doveadm || echo /usr/bin/doveadm)
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

master_pid() { # prints the master pid of DIR's instance when it runs
  local pidfile=$1/run/master.pid pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # The pid may have been reused: it must be a dovecot started with this DIR's config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1/dovecot.conf" || return 1
  echo "$pid"
}

children_of() { # direct children of pid $1, from /proc (no procps needed)
  grep -H '^PPid:' /proc/[0-9]*/status 2>/dev/null | awk -v p="$1" '$2 == p { split($1, a, "/"); print a[3] }' || true
}

port_free() { # exit 0 when nothing listens on 127.0.0.1:$1 and we may bind it
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Dovecot does: TIME_WAIT is fine
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
except OSError:
    sys.exit(1)
PY
}

free_ports() { # prints two distinct free ports
  python3 - <<'PY'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
PY
}

greets() { # exit 0 when 127.0.0.1:$1 answers with an IMAP greeting
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    printf "a LOGOUT\r\n" >&3
    exec 3>&-
    [[ "$line" == "* OK"* ]]' _ "$1" 2>/dev/null
}

accepts() { # exit 0 when 127.0.0.1:$1 accepts a TCP connection
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

make_certs() { # a CA and a server certificate signed by it, for localhost and 127.0.0.1
  local dir=$1 sans="DNS:localhost,IP:127.0.0.1" name
  for name in ${EXTRA_SANS:-}; do sans="$sans,DNS:$name"; done
  [ -s "$dir/ca.pem" ] && [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] && return 0
  command -v openssl >/dev/null || die "openssl is not installed: run tests/servers/install.sh"
  (
    set -e
    cd "$dir"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=Satu test CA $(basename "$dir")" -keyout ca-key.pem -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=localhost" -keyout key.pem -out cert.csr 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth" "subjectAltName=$sans" >cert.ext
    openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile cert.ext -out cert.pem 2>/dev/null
    rm -f cert.csr cert.ext ca.srl
    chmod 644 ca.pem cert.pem
  ) || die "openssl could not make the test certificates in $dir"
}

write_config() {
  local dir=$1 imap_port=$2 imaps_port=$3 capability=$4
  local login_user internal_user internal_group mail_uid mail_gid chroot_overrides=""
  if [ "$(id -u)" -eq 0 ]; then
    mail_uid=$(id -u nobody) || die "user nobody is missing"
    mail_gid=$(id -g nobody)
    if id dovenull >/dev/null 2>&1 && id dovecot >/dev/null 2>&1; then
      login_user=dovenull internal_user=dovecot internal_group=dovecot
    else
      login_user=nobody internal_user=nobody internal_group=$(id -gn nobody)
    fi
  else
    mail_uid=$(id -u) mail_gid=$(id -g)
    login_user=$(id -un) internal_user=$(id -un) internal_group=$(id -gn)
    # An ordinary user cannot chroot().
    for svc in imap-login imap-urlauth-login pop3-login submission-login anvil ipc old-stats aggregator director; do
      chroot_overrides+="service $svc {"$'\n'"  chroot ="$'\n'"}"$'\n'
    done
  fi

  : >"$dir/users.tmp"
  local entry user pass
  local extra=()
  read -r -a extra <<<"${EXTRA_USERS:-}"
  for entry in "${USERS[@]}" "${extra[@]}"; do
    user=${entry%%:*} pass=${entry#*:}
    mkdir -p "$dir/home/$user"
    echo "$user:{PLAIN}$pass:$mail_uid:$mail_gid::$dir/home/$user::" >>"$dir/users.tmp"
  done
  mv "$dir/users.tmp" "$dir/users"
  chmod 644 "$dir/users"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$mail_uid:$mail_gid" "$dir/home"
    chmod 711 "$dir"
  fi

  local cap_line=""
  [ -n "$capability" ] && cap_line="imap_capability = $capability"

  local mechanisms="plain login" password_mechanisms="" oauth2_passdb="" no_penalty=""
  if [ -n "${OAUTH2_INTROSPECTION_URL:-}" ]; then
    case "$OAUTH2_INTROSPECTION_URL" in
      http://* | https://*) ;;
      *) die "OAUTH2_INTROSPECTION_URL must be an http(s) URL, not '$OAUTH2_INTROSPECTION_URL'" ;;
    esac
    mechanisms="plain login xoauth2 oauthbearer"
    password_mechanisms="  mechanisms = plain login"
    # A refused token would otherwise make every later login from 127.0.0.1 wait 2-15 s (the anvil
    # auth penalty, which auth_failure_delay does not cover): a listener of mode 0 turns it off.
    no_penalty="service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}"
    # Dovecot's oauth2 passdb: the token (the "password" of XOAUTH2/OAUTHBEARER) is POSTed as
    # token=… to the introspection URL; active must be true and sub the login name.
    cat >"$dir/dovecot-oauth2.conf.ext" <<EOF2
# Generated by tests/servers/dovecot.sh (OAUTH2_INTROSPECTION_URL).
introspection_mode = post
introspection_url = $OAUTH2_INTROSPECTION_URL
username_attribute = sub
active_attribute = active
active_value = true
timeout_msecs = 5000
EOF2
    chmod 600 "$dir/dovecot-oauth2.conf.ext"
    oauth2_passdb="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/dovecot-oauth2.conf.ext
}"
  else
    rm -f "$dir/dovecot-oauth2.conf.ext"
  fi

  cat >"$dir/dovecot.conf" <<EOF
# Generated by tests/servers/dovecot.sh: a private test instance. Do not use for real mail.
instance_name = satu-test-$(basename "$dir")
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
auth_verbose = yes
verbose_proctitle = yes
# Each session's logout line counts what the client fetched (benchmarks read it).
imap_logout_format = in=%i out=%o fetch_hdr_count=%{fetch_hdr_count} fetch_body_count=%{fetch_body_count} fetch_body_bytes=%{fetch_body_bytes}

protocols = imap
listen = 127.0.0.1
login_greeting = Satu test Dovecot ready.

default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = 1
first_valid_gid = 1

ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
disable_plaintext_auth = no
auth_mechanisms = $mechanisms
# Fail wrong passwords at once (Dovecot's default waits 2 s): tests stay fast.
auth_failure_delay = 0
$no_penalty

passdb {
  driver = passwd-file
$password_mechanisms
  args = scheme=PLAIN username_format=%u $dir/users
}
$oauth2_passdb
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}

mail_location = maildir:~/Maildir
# Test data need not survive a power cut; the disk here is slow for fsync-heavy work.
mail_fsync = never
# Clients keep one connection per watched folder; Dovecot's default allows 10 per user and IP.
mail_max_userip_connections = 200
$cap_line

namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
$chroot_overrides
EOF
}

start_dovecot() {
  # The daemonized master keeps the stdout/stderr it was started with: never a pipe (a caller
  # reading our output would wait forever), and no other inherited descriptors either.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec "$DOVECOT" -c "$1/dovecot.conf" </dev/null >"$1/start.out" 2>&1
  )
}

cmd_start() {
  local dir
  dir=$(abs_dir "${1:-}")
  find_dovecot
  command -v python3 >/dev/null || die "python3 is needed to pick free ports: run tests/servers/install.sh"
  if pid=$(master_pid "$dir"); then
    die "an instance already runs in $dir (pid $pid): stop it first"
  fi

  local personality=${PERSONALITY:-full} capability=${IMAP_CAPABILITY:-}
  case "$personality" in
    full) ;;
    plain) [ -n "$capability" ] || capability=$PLAIN_CAPABILITY ;;
    *) die "PERSONALITY must be full or plain, not '$personality'" ;;
  esac

  mkdir -p "$dir/state"
  rm -rf "$dir/run"
  make_certs "$dir"

  local imap_port=${IMAP_PORT:-} imaps_port=${IMAPS_PORT:-} fixed=""
  [ -n "$imap_port" ] && [ -n "$imaps_port" ] && fixed=1
  if [ -z "$fixed" ] && [ -s "$dir/env" ]; then # a restart: keep the previous ports if still free
    local prev_imap prev_imaps
    prev_imap=$(tr ' ' '\n' <"$dir/env" | sed -n 's/^IMAP_PORT=//p')
    prev_imaps=$(tr ' ' '\n' <"$dir/env" | sed -n 's/^IMAPS_PORT=//p')
    if [ -n "$prev_imap" ] && [ -n "$prev_imaps" ] && port_free "$prev_imap" && port_free "$prev_imaps"; then
      imap_port=${imap_port:-$prev_imap} imaps_port=${imaps_port:-$prev_imaps}
    fi
  fi

  # Between picking a free port and Dovecot binding it, a parallel test may take it: retry.
  local attempt out rc
  for attempt in 1 2 3 4 5; do
    if [ -z "$imap_port" ] || [ -z "$imaps_port" ]; then
      read -r p1 p2 < <(free_ports)
      imap_port=${imap_port:-$p1}
      [ -n "$imaps_port" ] || { imaps_port=$p2; [ "$imaps_port" != "$imap_port" ] || imaps_port=$p1; }
    fi
    write_config "$dir" "$imap_port" "$imaps_port" "$capability"
    : >>"$dir/dovecot.log"
    rc=0
    start_dovecot "$dir" || rc=$?
    out=$(cat "$dir/start.out")
    [ $rc -eq 0 ] && break
    if [ -z "$fixed" ] && grep -q "Address already in use" <<<"$out" && [ $attempt -lt 5 ]; then
      echo "dovecot.sh: port $imap_port or $imaps_port was taken meanwhile, retrying with others" >&2
      imap_port=${IMAP_PORT:-} imaps_port=${IMAPS_PORT:-}
      continue
    fi
    echo "$out" >&2
    echo "--- $dir/dovecot.log (tail) ---" >&2
    tail -n 20 "$dir/dovecot.log" >&2 || true
    die "dovecot did not start (exit $rc); config: $dir/dovecot.conf"
  done

  local timeout=${DOVECOT_START_TIMEOUT:-15} deadline pid=""
  deadline=$(( $(date +%s) + timeout ))
  # The implicit-TLS port greets only inside TLS: a TCP accept there is enough.
  until greets "$imap_port" && accepts "$imaps_port"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "--- $dir/dovecot.log (tail) ---" >&2
      tail -n 30 "$dir/dovecot.log" >&2 || true
      cmd_stop "$dir" >/dev/null 2>&1 || true
      die "dovecot in $dir did not answer on 127.0.0.1:$imap_port within ${timeout}s"
    fi
    sleep 0.05
  done
  pid=$(master_pid "$dir") || die "dovecot in $dir answered but its master process is gone; see $dir/dovecot.log"

  local line="IMAP_HOST=127.0.0.1 IMAP_PORT=$imap_port IMAPS_PORT=$imaps_port CA_FILE=$dir/ca.pem DOVECOT_CONF=$dir/dovecot.conf DOVECOT_DIR=$dir DOVECOT_PID=$pid PERSONALITY=$personality"
  echo "$line" >"$dir/env"
  echo "$line"
}

cmd_stop() {
  local dir pid children c deadline
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd -P)
  pid=$(master_pid "$dir") || return 0
  children=$(children_of "$pid")
  # TERM to the master and (so we need not wait for it to tell them, ~1 s) to its children: each
  # IMAP session says "* BYE Server shutting down." and the listeners close at once. The master
  # itself takes about a second more to exit; we wait for it.
  kill -TERM "$pid" $children 2>/dev/null || true
  deadline=$(( $(date +%s) + 10 ))
  while :; do
    local alive=""
    for c in $pid $children; do kill -0 "$c" 2>/dev/null && alive+=" $c"; done
    [ -z "$alive" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "dovecot.sh: killing what is left of $dir:$alive" >&2
      kill -KILL $alive 2>/dev/null || true
      sleep 0.1
      break
    fi
    sleep 0.05
  done
  rm -f "$dir/run/master.pid"
}

cmd_status() {
  local dir
  [ -n "${1:-}" ] && [ -d "$1" ] || return 1
  dir=$(cd "$1" && pwd -P)
  master_pid "$dir" >/dev/null
}

cmd_append() {
  [ $# -eq 4 ] || usage
  local dir user=$2 folder=$3 file=$4
  dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no instance directory $1"
  find_dovecot
  master_pid "$dir" >/dev/null || die "no dovecot runs in $dir"
  if [ "$file" = - ]; then
    "$DOVEADM" -c "$dir/dovecot.conf" save -u "$user" -m "$folder"
  else
    [ -r "$file" ] || die "cannot read $file"
    "$DOVEADM" -c "$dir/dovecot.conf" save -u "$user" -m "$folder" <"$file"
  fi
}

case "${1:-}" in
  start) shift; [ $# -eq 1 ] || usage; cmd_start "$1" ;;
  stop) shift; [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
  status) shift; [ $# -eq 1 ] || usage; cmd_status "$1" ;;
  append) shift; cmd_append "$@" ;;
  *) usage ;;
esac
